"""Every text of the waiting-room pages, marked for the one catalogue.

Citizens read the display and the status page, so their texts carry the context ``citizen``
and exist in all six citizen languages; the few lines only staff read (a display that is not
signed in, blocked sound) are staff messages (German and English).
"""

from __future__ import annotations

from central_server.errors import N_
from resources.i18n import N_citizen

# The status page -----------------------------------------------------------------------------
YOUR_NUMBER = N_citizen("citizen", "Your number")
PEOPLE_AHEAD = N_citizen("citizen", "People ahead of you: {count}")
ESTIMATED_WAIT = N_citizen("citizen", "Estimated wait: about {minutes} min")
#: An appointment's ticket (checked in at the kiosk): the booked time, local HH:MM.
APPOINTMENT_AT = N_citizen("citizen", "Your appointment: {time}")
YOU_ARE_NEXT = N_citizen("citizen", "You are next.")
PLEASE_WAIT = N_citizen("citizen", "Please wait until your number is shown on the screen.")
FORWARDED = N_citizen("citizen", "You have been forwarded. Please wait: you keep your place.")
GO_NOW = N_citizen("citizen", "Please go to {desk} now.")
BEING_SERVED = N_citizen("citizen", "You are being served at {desk}.")
PAUSED = N_citizen(
    "citizen", "Your visit at {desk} is paused. Please go back there when you are ready."
)
DONE = N_citizen("citizen", "Done. Thank you for your visit!")
NO_SHOW = N_citizen(
    "citizen",
    "Your number was called, but you did not come. Please ask at the information desk.",
)
CANCELLED = N_citizen(
    "citizen", "This ticket is no longer valid. Please ask at the information desk."
)
NOT_FOUND = N_citizen("citizen", "This ticket was not found.")
NOT_FOUND_DETAIL = N_citizen(
    "citizen",
    "The link may be mistyped, or the ticket is from an earlier day: "
    "a ticket's page is valid on the day it was issued.",
)
TOO_MANY = N_citizen("citizen", "Too many attempts. Please wait a minute and try again.")
UPDATES_ITSELF = N_citizen("citizen", "This page updates by itself.")
CONNECTION_LOST = N_citizen("citizen", "Connection lost. Trying again…")
ALERT_BUTTON = N_citizen("citizen", "Sound and vibration when I am called")
ALERT_ON = N_citizen("citizen", "Sound and vibration are on.")

# Feedback on the status page (the five faces' names are in resources/vocabulary.py) ----------
FEEDBACK_QUESTION = N_citizen("citizen", "How was your visit?")
FEEDBACK_HINT = N_citizen("citizen", "One tap is enough. Your answer is anonymous.")
FEEDBACK_THANKS = N_citizen("citizen", "Thank you for your answer!")
FEEDBACK_NOT_SENT = N_citizen(
    "citizen", "Your answer could not be sent. Please tap the face again."
)
FEEDBACK_ALREADY_GIVEN = N_citizen("citizen", "You have already rated this visit. Thank you!")
FEEDBACK_NOT_DONE = N_citizen(
    "citizen", "Your visit is not finished yet. You can rate it when it is done."
)
FEEDBACK_NO_VISIT = N_citizen("citizen", "There is no visit to rate for this ticket.")
FEEDBACK_BAD_SCORE = N_citizen("citizen", "Please choose one of the five faces (1 to 5).")
BACK_TO_TICKET = N_citizen("citizen", "Back to your ticket")

# The call display ----------------------------------------------------------------------------
NOW_CALLING = N_citizen("citizen", "Now calling")
RECENT_CALLS = N_citizen("citizen", "Recent calls")
PEOPLE_WAITING = N_citizen("citizen", "People waiting")
NUMBER_APPEARS_HERE = N_citizen("citizen", "Your number will appear here.")
#: Spoken by the display (in German), e.g. "Nummer A 42, bitte zu Platz 3."
SPOKEN_CALL = N_citizen("citizen", "Number {number}, please go to {desk}.")

# Only staff read these -----------------------------------------------------------------------
DISPLAY_SIGNED_OUT = N_("This display is not signed in.")
DISPLAY_HOW_TO_SIGN_IN = N_(
    "Open the display's link with its device token once: /display/{site}?token=…"
)
SOUND_BLOCKED = N_(
    "The browser blocks the sound. Start it with --autoplay-policy=no-user-gesture-required, "
    "or touch the screen once."
)
NO_SUCH_SITE = N_("There is no site {site}.")

# The server's start page (/), for the city's IT ---------------------------------------------
HOME_TITLE = N_("Tresen central server")
HOME_INTRO = N_(
    "This is the central server of Tresen. Clerk workstations, kiosks and call displays "
    "connect to this address."
)
HOME_DISPLAYS = N_("Call displays")
HOME_NO_SITES = N_("No site is set up yet: tresen admin apply SITE-FILE.toml")
HOME_API = N_("Interface for other systems (API)")
HOME_API_DOCS = N_("API documentation (Swagger UI)")
HOME_OPENAPI = N_("OpenAPI document")

# The "Ready yet?" page (/p): a pickup receipt's code, its state; never a name or document --
PICKUP_TITLE = N_citizen("citizen", "Is my document ready?")
PICKUP_INTRO = N_citizen(
    "citizen", "Type the code printed under the QR code on your pickup receipt, or scan it."
)
PICKUP_CODE = N_citizen("citizen", "Code on the receipt")
PICKUP_CHECK = N_citizen("citizen", "Check")
PICKUP_ORDERED = N_citizen("citizen", "Not ready yet")
PICKUP_ORDERED_ON = N_citizen("citizen", "Ordered on {date}")
PICKUP_EXPECTED = N_citizen("citizen", "Expected to be ready from {date}")
PICKUP_NOT_EXPECTED = N_citizen(
    "citizen", "We do not know yet when it will arrive. Please check again later."
)
PICKUP_READY = N_citizen("citizen", "Ready for pickup")
PICKUP_READY_SINCE = N_citizen("citizen", "Ready since {date}")
PICKUP_BRING = N_citizen("citizen", "Please bring this receipt and your passport or ID card.")
PICKUP_HANDED_OVER = N_citizen("citizen", "Already handed over")
PICKUP_HANDED_OVER_ON = N_citizen("citizen", "Handed over on {date}")
PICKUP_EXPIRED = N_citizen("citizen", "Not collected in time")
PICKUP_EXPIRED_ON = N_citizen("citizen", "The time to collect it ended on {date}.")
PICKUP_ASK = N_citizen("citizen", "Please ask at the information desk.")
PICKUP_CANCELLED = N_citizen("citizen", "Cancelled")
PICKUP_REPLACED = N_citizen("citizen", "This receipt was replaced")
PICKUP_REPLACED_ON = N_citizen(
    "citizen", "A new receipt was issued on {date}. Please use the new receipt."
)
PICKUP_UNKNOWN = N_citizen("citizen", "This code is not known.")
PICKUP_UNKNOWN_DETAIL = N_citizen(
    "citizen", "Please check the code on your receipt and type it again."
)
PICKUP_NO_DETAILS = N_citizen(
    "citizen", "This page shows only the state: no name and nothing about the document."
)
