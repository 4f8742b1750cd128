"""A season built by hand for the season screen and ``regie season`` tests (no test here):
two external prestations under the convention, the second crossing the end of amortisation,
and one SoTicket venue brought up to the floor. Every figure follows the convention's rules
with the default settings (35 % then 12 %, cachet 250 € a day, SoTicket 2.5 %, floor 575 €)."""

from __future__ import annotations

import datetime as dt

from regie.settlement.season import Season, SeasonLine
from regie.settlement.soticket import SoticketStructure

AFRICA, STOCK, VENUE = "MamAfrica 2026", "MamaStock 2026", "Le Périscope"
INVESTED = 1_000_000  # 10 000 € to amortise: equipment, hosting and bank fees

# MamAfrica, 14–17 May, base 20 000 €, wholly in amortisation:
#   share = 35 % × 20 000 = 7 000 € (within the 500 € – 15 000 € bounds)
#   cachet = 4 days × 250 = 1 000 €; costs 300 €; nothing melted yet
#   total = 7 000 + 1 000 + 300 − 0 = 8 300 €; recovered 7 000 €, left 10 000 − 7 000 = 3 000 €
AFRICA_LINE = SeasonLine(
    name=AFRICA,
    kind="external",
    scheme="convention",
    starts_on=dt.date(2026, 5, 14),
    ends_on=dt.date(2026, 5, 17),
    base_cents=2_000_000,
    share_cents=700_000,
    cachet_cents=100_000,
    costs_cents=30_000,
    melting_payback_cents=0,
    total_cents=830_000,
    phase="amortissement",
    recovered_to_date_cents=700_000,
    left_to_amortise_cents=300_000,
    status="recorded",
    version=1,
)
# MamaStock, 10–12 July, base 30 000 €, crosses the line (3 000 € left):
#   3 000 € at 35 % take 3 000 / 0.35 = 8 571.43 € of base; the other 30 000 − 8 571.43
#   = 21 428.57 € at 12 % = 2 571.43 €; share = 3 000 + 2 571.43 = 5 571.43 €
#   cachet = 3 days × 250 = 750 €; costs 420 €; the cooperative pays back 2 % of 1 500 € melted
#   = 30 €; total = 5 571.43 + 750 + 420 − 30 = 6 711.43 €; recovered 10 000 €, left 0 €
STOCK_LINE = SeasonLine(
    name=STOCK,
    kind="external",
    scheme="convention",
    starts_on=dt.date(2026, 7, 10),
    ends_on=dt.date(2026, 7, 12),
    base_cents=3_000_000,
    share_cents=557_143,
    cachet_cents=75_000,
    costs_cents=42_000,
    melting_payback_cents=3_000,
    total_cents=671_143,
    phase="bascule",
    recovered_to_date_cents=1_000_000,
    left_to_amortise_cents=0,
    status="draft",
    version=0,
)
SEASON = Season(
    year=2026,
    invested_cents=INVESTED,
    lines=[AFRICA_LINE, STOCK_LINE],
    curve=[(dt.date(2026, 5, 17), 700_000), (dt.date(2026, 7, 12), 1_000_000)],
)
# Le Périscope: one concert night, ticketing 12 000 € → 2.5 % = 300 € accrued; the floor is
# 575 €, so the year-end adjustment is 575 − 300 = +275 € and the fee 575 €.
PERISCOPE = SoticketStructure(
    structure=VENUE,
    events=[("Concert de rentrée", 1_200_000, 30_000)],
    accrued_cents=30_000,
    adjustment_cents=27_500,
    fee_cents=57_500,
    floor_cents=57_500,
    cap_cents=350_000,
)
