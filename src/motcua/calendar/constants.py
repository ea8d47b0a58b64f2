"""Units of a procedure's time limit and kinds of official calendar days."""

from django.db import models


class TimeUnit(models.TextChoices):
    """Unit of a published time limit (thời hạn giải quyết); the catalogue says which one applies."""

    WORKING_DAYS = "working_days", "Ngày làm việc / working days"
    DAYS = "days", "Ngày / calendar days"
    HOURS = "hours", "Giờ / working hours"
    MONTHS = "months", "Tháng / months"
