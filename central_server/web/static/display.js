// The waiting-room call display: a view of the state the server streams to it.
//
// The server sends the whole state (calls, people waiting, its clock) on every (re)connect and
// after every change (/display/<site>/events). This script keeps no other copy of the queue;
// it only remembers which calls it has announced (the newest call event's id, kept in
// sessionStorage), so a call is announced once, and a call older than fresh_seconds, also one
// seen first after an outage, is only listed and never announced as new.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("display-config").textContent);
  const byId = (id) => document.getElementById(id);
  const base = `/display/${encodeURIComponent(config.site)}`;
  const memory = `tresen-display-announced-${config.site}`;
  const HIGHLIGHT_MS = 6000;

  // What tests and benchmarks read (window.tresenDisplay); nothing here acts on it.
  const probe = {
    chimes: 0,
    spoken: [],
    announced: [],
    states: 0,
    connected: false,
    signedOut: false,
  };
  window.tresenDisplay = probe;

  let board = null;
  let offset = 0; // server clock minus this device's clock, in ms
  let announced = Number(sessionStorage.getItem(memory) || 0);
  let source = null;
  let lastMessage = Date.now();
  let stopped = false;
  let rendered = "";
  let flashed = null;
  const highlighted = new Map(); // call seq -> until when (this device's clock, ms)

  const serverNow = () => Date.now() + offset;
  const age = (call) => (serverNow() - Date.parse(call.at)) / 1000;
  const isNew = (call) => call.status === "called" && age(call) < config.fresh_seconds;
  const isShown = (call) => call.status === "called" || age(call) < config.keep_seconds;

  // The view ----------------------------------------------------------------------------------

  function item(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render() {
    if (!board) return;
    const now = Date.now();
    for (const [seq, until] of highlighted) if (until < now) highlighted.delete(seq);
    const calls = board.calls.filter(isShown);
    const current = calls.length && isNew(calls[0]) ? calls[0] : null;
    const rest = current ? calls.slice(1) : calls;
    const signature = JSON.stringify([
      current && current.seq,
      rest.map((c) => [c.seq, c.status, c.desk]),
      board.waiting,
      [...highlighted.keys()],
    ]);
    if (signature === rendered) return;
    rendered = signature;

    const currentBox = byId("current");
    byId("current-call").hidden = !current;
    byId("current-empty").hidden = Boolean(current);
    if (current) {
      byId("current-number").textContent = current.number;
      byId("current-desk").textContent = current.desk;
      currentBox.dataset.seq = String(current.seq);
    } else {
      byId("current-number").textContent = "";
      byId("current-desk").textContent = "";
      delete currentBox.dataset.seq;
    }
    if (current && highlighted.has(current.seq) && flashed !== current.seq) {
      flashed = current.seq;
      currentBox.classList.remove("flash");
      void currentBox.offsetWidth; // restart the animation
      currentBox.classList.add("flash");
    }

    const list = byId("recent");
    list.replaceChildren(
      ...rest.map((call) => {
        const row = item("li", call.status === "called" ? "called" : "served");
        if (highlighted.has(call.seq)) row.classList.add("new");
        row.dataset.seq = String(call.seq);
        row.dataset.status = call.status;
        row.append(item("span", "number", call.number), item("span", "desk", `→\u00a0${call.desk}`));
        return row;
      }),
    );

    byId("waiting").replaceChildren(
      ...board.waiting.map((service) => {
        const row = item("li");
        row.dataset.prefix = service.prefix;
        const name = item("span", "name", service.name);
        if (service.name_second && service.name_second !== service.name) {
          name.append(item("small", "", service.name_second));
        }
        row.append(item("span", "prefix", service.prefix), name, item("span", "count", String(service.count)));
        return row;
      }),
    );
    // Last: the people waiting, the sound note and the fonts decide how much room is left.
    fitList();
  }

  // Only whole rows: a call that does not fit below the others is left out, not cut in half.
  // Measured again whenever the room changes (a second row of services, the sound note, a web
  // font arriving, a turned screen), not only when the calls change.
  function fitList() {
    const list = byId("recent");
    const bottom = list.parentElement.getBoundingClientRect().bottom;
    for (const row of list.children) {
      row.hidden = false;
      row.hidden = row.getBoundingClientRect().bottom > bottom + 1;
    }
  }
  new ResizeObserver(fitList).observe(byId("recent").parentElement);
  document.fonts.ready.then(fitList);

  const timeFormat = new Intl.DateTimeFormat(config.locale, {
    timeZone: config.timezone,
    hour: "2-digit",
    minute: "2-digit",
  });
  const dateFormat = new Intl.DateTimeFormat(config.locale, {
    timeZone: config.timezone,
    weekday: "long",
    day: "numeric",
    month: "long",
  });

  function tick() {
    const now = new Date(serverNow());
    byId("clock-time").textContent = timeFormat.format(now);
    byId("clock-date").textContent = dateFormat.format(now);
    render(); // calls age: the newest leaves the big field, served calls leave the list
  }

  // Sound and speech --------------------------------------------------------------------------

  const audio = { context: null, buffer: null };

  async function loadChime() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      audio.context = new Context();
      const answer = await fetch(config.chime_url);
      audio.buffer = await audio.context.decodeAudioData(await answer.arrayBuffer());
    } catch (error) {
      audio.buffer = null;
    }
    showSoundState();
  }

  function showSoundState() {
    const blocked = Boolean(audio.context) && audio.context.state !== "running";
    byId("sound-blocked").hidden = !blocked;
  }

  function unlockSound() {
    if (audio.context && audio.context.state !== "running") {
      audio.context.resume().then(showSoundState, showSoundState);
    }
  }

  function chime() {
    probe.chimes += 1;
    if (!audio.context || !audio.buffer) return;
    if (audio.context.state !== "running") audio.context.resume().catch(() => {});
    const sound = audio.context.createBufferSource();
    sound.buffer = audio.buffer;
    sound.connect(audio.context.destination);
    sound.start();
    showSoundState();
  }

  function germanVoice() {
    const voices = window.speechSynthesis.getVoices();
    return voices.find((v) => v.lang === config.speech_lang) || voices.find((v) => v.lang.startsWith("de"));
  }

  function speak(calls) {
    if (!config.speak || !("speechSynthesis" in window)) return;
    window.setTimeout(() => {
      for (const call of calls) {
        const utterance = new SpeechSynthesisUtterance(call.speech);
        utterance.lang = config.speech_lang;
        const voice = germanVoice();
        if (voice) utterance.voice = voice;
        window.speechSynthesis.speak(utterance);
        probe.spoken.push(call.speech);
      }
    }, 1300); // after the chime
  }

  function announce(calls) {
    probe.announced.push(...calls.map((c) => c.number));
    chime();
    speak([...calls].reverse()); // oldest first
  }

  // The live state ----------------------------------------------------------------------------

  function apply(state) {
    offset = Date.parse(state.now) - Date.now();
    board = state;
    probe.states += 1;
    const fresh = state.calls.filter((c) => c.seq > announced && isNew(c));
    for (const call of state.calls) announced = Math.max(announced, call.seq);
    sessionStorage.setItem(memory, String(announced));
    for (const call of fresh) highlighted.set(call.seq, Date.now() + HIGHLIGHT_MS);
    render();
    if (fresh.length) announce(fresh);
  }

  function setConnected(connected) {
    probe.connected = connected;
    byId("connection").hidden = connected;
    document.body.classList.toggle("offline", !connected);
  }

  function heard() {
    lastMessage = Date.now();
    setConnected(true);
  }

  function signedOut() {
    stopped = true;
    probe.signedOut = true;
    if (source) source.close();
    board = null;
    byId("current-call").hidden = true;
    byId("recent").replaceChildren();
    byId("waiting").replaceChildren();
    byId("connection").hidden = true;
    byId("signed-out").hidden = false;
  }

  function connect() {
    if (stopped) return;
    if (source) source.close();
    source = new EventSource(`${base}/events`);
    const mine = source;
    source.addEventListener("state", (event) => {
      heard();
      apply(JSON.parse(event.data));
    });
    source.addEventListener("ping", heard);
    source.addEventListener("revoked", signedOut);
    source.onopen = heard;
    source.onerror = () => {
      if (mine !== source) return;
      setConnected(false);
      // The browser retries by itself after a network fault; not after a refusal (an HTTP
      // error), where the state tells whether the display is still signed in.
      if (source.readyState === EventSource.CLOSED) window.setTimeout(recover, 2000);
    };
  }

  async function recover() {
    if (stopped) return;
    try {
      const answer = await fetch(`${base}/state`, { cache: "no-store", credentials: "same-origin" });
      if (answer.status === 401 || answer.status === 403) {
        signedOut();
        return;
      }
      if (answer.ok) apply(await answer.json());
    } catch (error) {
      // the server is away: try the stream again below
    }
    connect();
  }

  // A stream that went silent (no state, no ping for 40 s) died without closing: start again.
  function watch() {
    if (!stopped && Date.now() - lastMessage > 40000) {
      lastMessage = Date.now();
      setConnected(false);
      recover();
    }
  }

  window.addEventListener("resize", () => {
    rendered = "";
    render();
  });
  document.addEventListener("pointerdown", unlockSound);
  document.addEventListener("keydown", unlockSound);
  loadChime();
  tick();
  window.setInterval(tick, 1000);
  window.setInterval(watch, 5000);
  connect();
})();
