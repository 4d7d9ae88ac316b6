"""The hotline staff console (/staff) and the policy office's analytics (/staff/analytics).

| module | what it does |
|---|---|
| `app.py` | `setup_staff(app)`: routes, the /staff-only middlewares, security headers, ECharts route |
| `auth.py` | sessions, default-deny login check, roles, CSRF, login throttling |
| `pages.py`, `html.py`, `templates/` | login, console and analytics pages (shells; data from the APIs) |
| `api.py` | search, ask the bot, hand-off tickets, analytics JSON, Excel/CSV exports |
| `analytics.py`, `export.py` | the report (no aiohttp) and its xlsx/csv form |
| `reviews.py` | the review queue page (/staff/review), its JSON, verdicts, KB picker (bot.review) |
| `spoken.py` | the answer card as plain text to read out on the phone |
| `static/`, `package.json` | CSS and JS of the pages; ECharts from npm (`make assets`) |

Accounts: `python -m bot.accounts create NAME --role staff|analyst` (see bot/accounts.py).
"""

from bot.staff.app import setup_staff

__all__ = ["setup_staff"]
