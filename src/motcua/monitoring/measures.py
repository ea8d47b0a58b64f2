"""The counters monitoring keeps per agency scope and day, from which every indicator is computed.

A dossier *contributes* to counters (``monitoring.contributions``); the aggregate tables hold the sums of
the contributions of every dossier, for the competent (processing) agency and each of its ancestors, so
that any agency subtree and any period is a sum over at most one row per day.

Three kinds of counters, by the day they are counted on (local date, Asia/Ho_Chi_Minh, spec §5.1):

* **received** counters — the day the dossier was received (accepted complete and valid, or received by the
  competent agency for boundary-free reception; historical imports give it);
* **finished** counters — the day processing ended (result issued, refused, stopped, withdrawn);
* **stock deltas** — +1 on the day a dossier enters a state and −1 on the day it leaves it, so that the
  number of dossiers in that state at the start of day ``T`` is the sum of the deltas of every day before
  ``T`` (in progress, in progress and late in the legal view, in progress and late in the Decision 766
  view);
* **returned** and **evaluation** counters — the day of the return and of the citizen's rating.
"""

from __future__ import annotations

#: Counted on the day the dossier was received.
RECEIVED = (
    "received",
    "received_online",
    "received_in_person",
    "received_postal",
    "received_kiosk",
    #: online and the procedure is offered full-online (toàn trình) by the receiving agency
    "received_full_online",
    #: online and the procedure is offered partially online (một phần)
    "received_partial_online",
    #: the procedure is offered online (full or partial) by the receiving agency (any channel)
    "received_of_online_services",
    #: the procedure is flagged eligible for full-online service in the national TTHC database
    "received_of_full_online_eligible",
    "received_full_online_of_eligible",
    #: historical levels of Decree 43/2011 (level 2, 3, 4 of the offering when the dossier was received)
    "received_of_level2",
    "received_of_level3",
    "received_of_level4",
    "received_online_of_level3",
    "received_online_of_level4",
    #: the procedure has a non-zero fee (online payment rate denominator, 766 criterion 3.6)
    "received_with_fee",
    "received_paid_online",
    #: at least one component file attached (input digitization, 766 criterion 4.2 (a))
    "received_with_files",
    #: at least one paper component scanned at the counter (digitized)
    "received_digitized",
    #: at least one component reused from the applicant's data store (766 criterion 4.3 / 4.4)
    "received_reused",
    #: applicant identified through the national identity platform (VNeID) (766 criterion 4.5b)
    "received_population_data",
)

#: Counted on the day processing ended.
FINISHED = (
    "finished",
    #: a decision was made: a result issued or a refusal (the legal on-time denominator, spec §5.3)
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    #: resolved late and filed online (Circular 01/2018 index 9: "no late online dossier")
    "resolved_late_online",
    #: the Decision 766 view (spec §2.9 item 6): supplement time subtracted, >1 supplement request = late
    "finished_on_time_766",
    "finished_late_766",
    #: processing time of resolved dossiers, in hundredths of a working day, and how many were measured
    "processing_centidays",
    "processing_measured",
    #: with an electronic result file (766 criterion 4.1, output digitization)
    "resolved_with_e_result",
    #: Circular 01/2018 Art 13 indices scored per dossier: points and how many dossiers were scored
    "ci1_points",
    "ci1_scored",
    "ci2_points",
    "ci2_scored",
    "ci3_points",
    "ci3_scored",
)

#: Counted on the day the result was returned.
RETURNED = (
    "returned",
    "returned_online",
    "returned_postal",
)

#: Counted on the day the citizen rated the handling (Decree 61/2018 Art 31; Decree 224/2026 Art 19).
EVALUATED = (
    "evaluations",
    "evaluations_satisfied",
    "evaluations_not_satisfied",
    "ci4_points",
    "ci4_scored",
    "ci6_points",
    "ci6_scored",
    "ci7_points",
    "ci7_scored",
)

#: Stock deltas: the value at the start of day T is the sum of every delta before T.
STOCKS = (
    "open_delta",
    "open_late_delta",
    "open_late_766_delta",
)

FLOWS = RECEIVED + FINISHED + RETURNED + EVALUATED
ALL = FLOWS + STOCKS

#: The narrow per-procedure counters (for distinct-procedure indicators and average time per procedure).
PER_PROCEDURE = (
    "received",
    "received_online",
    "received_full_online",
    "received_paid_online",
    "received_population_data",
    #: received by post or returned by post (Bắc Kạn 1189 indicator F)
    "postal_any",
    "resolved",
    "processing_centidays",
    "processing_measured",
)

#: The per-procedure counters whose days with a count above zero are kept as bits per year
#: (``ScopeProcedureYearActivity``), for the indicators that count distinct procedures with activity.
#: All are counted on the day of receipt, and each implies ``received``.
ACTIVITY = (
    "received",
    "received_online",
    "received_paid_online",
    "postal_any",
    "received_population_data",
)
