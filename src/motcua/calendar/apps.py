from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "motcua.calendar"
    label = "calendar"
