"""The audit trail: who changed money and equipment, and when — written by listeners on every
session (:mod:`~regie.audit.recorder`), described per table (:mod:`~regie.audit.changes`), read
in the reader's words (:mod:`~regie.audit.trail`). It sits above the areas it reads; ``people``
(who acts, with what role) sits below them."""
