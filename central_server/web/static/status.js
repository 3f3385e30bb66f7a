// The citizen's ticket status page: the server renders it, then streams every change of the
// ticket (/t/<token>/events: its status, the number of people ahead, the wait, in the ticket's
// language). This script only puts the new texts in place, changes the title (a tab in the
// background shows "▶ A042 → Platz 3"), and alerts when the citizen is called (again).
// Once the visit is done the page asks "How was your visit?": a tap on a face sends the score
// (/t/<token>/feedback, JSON) and the page says thank you. Without this script the faces are a
// plain form, and the server answers it with the page again.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("status-config").textContent);
  const byId = (id) => document.getElementById(id);
  const probe = { updates: 0, alerts: 0, connected: false, feedback: null };
  window.tresenStatus = probe;

  let view = config.view;
  let source = null;
  const sound = { context: null, buffer: null, on: false };

  function paragraphs(lines) {
    return lines.map((line) => {
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    });
  }

  function apply(next) {
    const before = view;
    view = next;
    probe.updates += 1;
    document.title = next.title;
    byId("card").className = `card state-${next.state}`;
    byId("number").textContent = next.number;
    byId("service").textContent = next.service;
    byId("headline").textContent = next.headline;
    byId("lines").replaceChildren(...paragraphs(next.lines));
    byId("note").textContent = next.note;
    byId("alerts").hidden = next.final;
    showFeedback(next.feedback);
    if (next.alert && next.alert !== before.alert) alert();
    if (next.final && source) {
      source.close();
      source = null;
      setConnected(true);
    }
  }

  function showFeedback(state, message) {
    byId("feedback").hidden = state !== "ask";
    const thanks = byId("feedback-thanks");
    thanks.hidden = state !== "given";
    if (message) thanks.textContent = message;
  }

  async function sendFeedback(event) {
    const face = event.submitter;
    if (!face || face.name !== "score") return; // a browser that does not say: the plain form
    event.preventDefault();
    const faces = byId("feedback").querySelectorAll("button");
    const error = byId("feedback-error");
    faces.forEach((button) => { button.disabled = true; });
    error.hidden = true;
    try {
      const answer = await fetch(config.feedback_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ score: Number(face.value) }),
        cache: "no-store",
      });
      const body = await answer.json();
      if (answer.ok || body.code === "feedback_already_given") {
        probe.feedback = answer.status;
        view = { ...view, feedback: "given" };
        showFeedback("given", body.message);
        byId("feedback-thanks").focus();
        return;
      }
      error.textContent = body.message || config.texts.not_sent;
    } catch (failure) {
      error.textContent = config.texts.not_sent;
    }
    error.hidden = false;
    faces.forEach((button) => { button.disabled = false; });
  }

  function alert() {
    probe.alerts += 1;
    if (navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 800]);
    if (sound.on && sound.context && sound.buffer) {
      const node = sound.context.createBufferSource();
      node.buffer = sound.buffer;
      node.connect(sound.context.destination);
      node.start();
    }
  }

  async function switchAlertsOn() {
    // A tap is what lets a phone's browser play sound and vibrate later.
    const button = byId("alerts");
    sound.on = true;
    button.classList.add("on");
    button.textContent = config.texts.alert_on;
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      sound.context = sound.context || new Context();
      await sound.context.resume();
      const answer = await fetch(config.chime_url);
      sound.buffer = await sound.context.decodeAudioData(await answer.arrayBuffer());
    } catch (error) {
      sound.buffer = null;
    }
    if (navigator.vibrate) navigator.vibrate(50);
  }

  function setConnected(connected) {
    probe.connected = connected;
    byId("connection").hidden = connected;
  }

  function connect() {
    if (view.final) return;
    source = new EventSource(config.events_url);
    const mine = source;
    source.addEventListener("status", (event) => {
      setConnected(true);
      apply(JSON.parse(event.data));
    });
    source.addEventListener("ping", () => setConnected(true));
    source.addEventListener("gone", () => window.location.reload());
    source.onopen = () => setConnected(true);
    source.onerror = () => {
      if (mine !== source) return;
      setConnected(false);
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        window.setTimeout(recover, 5000);
      }
    };
  }

  // After a refusal (the browser does not retry those): the page again, or the state and a
  // new stream.
  async function recover() {
    try {
      const answer = await fetch(config.state_url, { cache: "no-store" });
      if (answer.status === 404) {
        window.location.reload();
        return;
      }
      if (answer.ok) apply(await answer.json());
    } catch (error) {
      // the server is away: try the stream again
    }
    connect();
  }

  byId("alerts").addEventListener("click", switchAlertsOn);
  byId("feedback").addEventListener("submit", sendFeedback);
  connect();
})();
