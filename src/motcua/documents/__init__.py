"""Files we hold and documents we issue.

- ``StoredFile``: an upload, a counter scan or an issued PDF, stored outside every served folder and
  handed out only by views that have checked access (``services.file_response``).
- ``StoredDocument``: the citizen's electronic data store (kho quản lý dữ liệu điện tử của tổ chức, cá
  nhân; Circular 01/2023/TT-VPCP Art 24), from which papers are reused in later dossiers.
- ``IssuedDocument``: receipts and results rendered to PDF, signed (PAdES B-B) and verifiable by code
  (``/xac-thuc/<code>/``; result codes ``<dossier code>-KQ(n)``, Decree 45/2020 Art 14(3)).

This app knows nothing of dossiers: ``dossiers`` calls it. ADR 0008 records the choices.
"""
