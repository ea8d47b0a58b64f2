"""Dossier statuses, actions and policies.

National status codes 1–10 are those the national public service portal (DVCQG) uses in
synchronisation (spec §2.8, field ``TrangThai``); internal statuses map onto them.
"""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Bản nháp / draft"
    SUBMITTED = "submitted", "Mới đăng ký / submitted"
    REJECTED = "rejected", "Không được tiếp nhận / not accepted"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Yêu cầu bổ sung / supplement requested"
    SUPPLEMENT_RECEIVED = "supplement_received", "Đã bổ sung / supplement received"
    ACCEPTED = "accepted", "Được tiếp nhận / accepted"
    PROCESSING = "processing", "Đang xử lý / processing"
    CONSULTING = "consulting", "Đang lấy ý kiến / consulting another unit"
    TRANSFERRED = "transferred", "Đang xử lý liên thông / with other agencies"
    PAUSED = "paused", "Tạm dừng / paused"
    AWAITING_PAYMENT = "awaiting_payment", "Chờ thực hiện nghĩa vụ tài chính / awaiting payment"
    EXTENSION_REQUESTED = "extension_requested", "Xin lỗi, gia hạn / apology and extension requested"
    PENDING_APPROVAL = "pending_approval", "Chờ phê duyệt / pending approval"
    APPROVED = "approved", "Đã phê duyệt / approved"
    REFUSED = "refused", "Từ chối giải quyết / refused"
    STOPPED = "stopped", "Dừng giải quyết / stopped"
    WITHDRAWN = "withdrawn", "Rút hồ sơ / withdrawn"
    RESOLVED = "resolved", "Đã xử lý xong / resolved"
    RETURNED = "returned", "Đã trả kết quả / result returned"


TERMINAL = frozenset({Status.REJECTED, Status.REFUSED, Status.STOPPED, Status.WITHDRAWN, Status.RETURNED})

NATIONAL_CODE: dict[str, int | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: 1,
    Status.REJECTED: 3,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.SUPPLEMENT_RECEIVED: 1,  # 4 once the dossier had been accepted (see national_status_code)
    Status.ACCEPTED: 2,
    Status.PROCESSING: 4,
    Status.CONSULTING: 4,
    Status.TRANSFERRED: 4,
    Status.PAUSED: 4,
    Status.AWAITING_PAYMENT: 6,
    Status.EXTENSION_REQUESTED: 4,
    Status.PENDING_APPROVAL: 4,
    Status.APPROVED: 4,
    Status.REFUSED: 8,
    Status.STOPPED: 8,
    Status.WITHDRAWN: 7,
    Status.RESOLVED: 9,
    Status.RETURNED: 10,
}


class Action(models.TextChoices):
    SUBMIT = "submit", "Nộp hồ sơ / submit"
    ACCEPT = "accept", "Tiếp nhận / accept (Form 01)"
    REJECT = "reject", "Từ chối tiếp nhận / refuse at reception (Form 03)"
    REQUEST_SUPPLEMENT = "request_supplement", "Yêu cầu bổ sung / request supplement (Form 02)"
    SUPPLEMENT = "supplement", "Bổ sung hồ sơ / supplement"
    COMPETENT_RECEIVE = "competent_receive", "Cơ quan có thẩm quyền tiếp nhận / competent agency receives"
    ASSIGN = "assign", "Phân công / assign"
    PROCESS = "process", "Thẩm định, trình duyệt / appraise and submit for approval"
    CONSULT = "consult", "Lấy ý kiến / consult another unit"
    CONSULTATION_DONE = "consultation_done", "Nhận ý kiến / consultation answered"
    TRANSFER = "transfer", "Chuyển liên thông / transfer to other agencies"
    COMPLETE_LEG = "complete_leg", "Hoàn thành phần liên thông / complete a transfer leg"
    PAUSE = "pause", "Tạm dừng / pause"
    RESUME = "resume", "Tiếp tục / resume"
    REQUEST_PAYMENT = "request_payment", "Yêu cầu nghĩa vụ tài chính / request payment"
    CONFIRM_PAYMENT = "confirm_payment", "Xác nhận đã nộp / confirm payment"
    REQUEST_EXTENSION = "request_extension", "Xin lỗi và gia hạn / apologise and request extension (Form 04)"
    CONFIRM_EXTENSION = "confirm_extension", "Cập nhật ngày hẹn mới / confirm the new date"
    APPROVE = "approve", "Phê duyệt / approve"
    REFUSE = "refuse", "Từ chối giải quyết / refuse after appraisal"
    STOP = "stop", "Dừng giải quyết / stop processing (Form 05)"
    RESOLVE = "resolve", "Có kết quả / resolve"
    RETURN_RESULT = "return_result", "Trả kết quả / return the result"
    WITHDRAW = "withdraw", "Rút hồ sơ / withdraw"


class DeliveryMethod(models.TextChoices):
    ONLINE = "online", "Nhận trực tuyến / online"
    COUNTER = "counter", "Nhận tại bộ phận một cửa / at the counter"
    POST = "post", "Qua bưu chính công ích / by post"


class StopRequester(models.TextChoices):
    APPLICANT = "applicant", "Người nộp hồ sơ / applicant"
    AGENCY = "agency", "Cơ quan giải quyết / agency"


class LegMode(models.TextChoices):
    SEQUENTIAL = "sequential", "Tuần tự / in sequence"
    PARALLEL = "parallel", "Song song / in parallel"
