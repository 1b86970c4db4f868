"""The boarding module's api routes, one file per topic."""

from modules.boarding.routes.api.bookings import CabinBookingApi, CabinBookingsApi
from modules.boarding.routes.api.offline import OfflineGateApi
from modules.boarding.routes.api.scans import ScansApi
from modules.boarding.routes.api.voyages import VoyagesApi

ROUTES: list[object] = [CabinBookingApi, CabinBookingsApi, OfflineGateApi, ScansApi, VoyagesApi]
