"""Bookings from FareHarbor and Checkfront, read and mapped to calendar charters. Pure.

    model.py            Booking, BookingLine, BookingError: a booking as both providers mean it
    fareharbor.py       a FareHarbor booking (webhook or External API) -> Booking
    checkfront.py       a Checkfront booking (webhook or API 3.0) -> Booking
    checkfront_bodies.py  Checkfront's three webhook bodies (JSON, XML, form) -> one dict
    charters.py         which booked item is a charter on which boat
    event.py            a booked charter -> the calendar event's id and body
    update.py           an existing event and a booking -> the patch, and what a person changed
"""
