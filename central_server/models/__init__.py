"""SQLAlchemy models, one module per domain. Import from here."""

from central_server.models.appointments import Appointment, AppointmentMiss
from central_server.models.auth import AuthToken, Device, User, user_sites
from central_server.models.events import Event, IdempotencyRecord
from central_server.models.feedback import TicketFeedback
from central_server.models.figures import Figure
from central_server.models.limits import RateLimitCounter
from central_server.models.pickups import Pickup, ReplacedReceipt
from central_server.models.sites import Desk, DeskService, Service, Site
from central_server.models.tickets import Case, NumberLease, Ticket, TicketCounter

__all__ = [
    "Appointment",
    "AppointmentMiss",
    "AuthToken",
    "Case",
    "Desk",
    "DeskService",
    "Device",
    "Event",
    "Figure",
    "IdempotencyRecord",
    "NumberLease",
    "Pickup",
    "RateLimitCounter",
    "ReplacedReceipt",
    "Service",
    "Site",
    "Ticket",
    "TicketCounter",
    "TicketFeedback",
    "User",
    "user_sites",
]
