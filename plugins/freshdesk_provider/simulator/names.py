"""Static vocabularies for the generated account.

Strings are shared objects: a ticket stores a reference to one of these, not a copy, which is
what keeps a 300,000-ticket account within a few hundred megabytes.
"""

from __future__ import annotations

# Awkward names first so that even a small `groups` setting includes them: quotes, apostrophes,
# non-ASCII letters, no spaces, characters that need escaping in SQL, CSV and JSON.
GROUP_NAMES: tuple[str, ...] = (
    "Billing",
    'Kundenservice "Süd"',
    "L'équipe été",
    "CustomerService",
    "Technical Support",
    "Returns & Refunds",
    "Escalations (L2)",
    "日本語サポート",
    "Sales",
    "Onboarding",
    "VIP — Enterprise",
    "Partners; Resellers",
    "Tier 1",
    "Shipping/Logistics",
    "Product Feedback",
    "Security, Privacy",
    "Accounts Payable",
    "Field Service",
    "Social Media",
    "Warranty",
)

GROUP_DESCRIPTIONS: tuple[str | None, ...] = (
    "Invoices, payments and refunds",
    "Kunden aus Bayern und Baden-Württemberg",
    "Équipe francophone",
    None,
    "Product questions and bugs",
    "",
    "Second-line escalations",
    "Japanese-speaking customers",
)

SUBJECTS: tuple[str, ...] = (
    "Cannot log in to my account",
    "Invoice shows the wrong amount",
    "Refund request for order",
    "Package has not arrived",
    "How do I change my password?",
    "Feature request: dark mode",
    "App crashes on start",
    "Rechnung doppelt belastet",
    "Problème de connexion à l'application",
    "Urgent: production system down",
    "Question about my subscription",
    "Wrong item delivered",
    "Two-factor authentication not working",
    'Error "500" when saving settings',
    "Cancel my account, please",
    "Bulk export of data",
    "Need a copy of my receipt",
    "Shipping address update",
    "Warranty claim \u2013 broken screen",
    "注文がまだ届きません",
    "Partnership inquiry",
    "Data privacy request (GDPR)",
    "Slow performance since update",
    "Discount code does not work",
)

DESCRIPTIONS: tuple[str, ...] = (
    "Hello,\nI have a problem with my account. Could you please help?\nThanks",
    "Hi team, the amount on invoice INV-2231 is not what we agreed on.",
    "Guten Tag, ich wurde zweimal belastet. Bitte um Rückerstattung.",
    "Bonjour, je n'arrive plus à me connecter depuis hier soir.",
    "Everything is down for our users <b>right now</b>! Please call me back.",
    "Could you tell me how to export all our data to CSV?",
    "The parcel tracking says delivered but there is nothing at my door.",
    "",
)

CUSTOMER_BODIES: tuple[str, ...] = (
    "Thanks, but the problem is still there.",
    "Any update on this? It has been two days.",
    "I tried that and it worked, thank you!",
    "Please see the screenshot attached.",
    "Danke für die schnelle Antwort. Leider geht es immer noch nicht.",
    "Merci ! Ça marche maintenant.",
    "Can someone call me? My number is in my profile.",
    "This is unacceptable, I want to speak to a manager.",
    "Ok",
    'I entered "ABC-123" as the code & it failed again.',
)

AGENT_BODIES: tuple[str, ...] = (
    "Hi, thanks for reaching out. Could you send us a screenshot of the error?",
    "We have issued the refund; it should show up within 5 business days.",
    "I have reset your password. Please check your inbox.",
    "Our engineers are looking into this and we will update you shortly.",
    "Could you please confirm your order number?",
    "I'm closing this ticket now. Reply to reopen it at any time.",
    "Vielen Dank für Ihre Geduld. Das Problem ist behoben.",
)

NOTE_BODIES: tuple[str, ...] = (
    "Customer is on the enterprise plan, prioritise.",
    "Checked the logs: 502s from the payment gateway around 14:00.",
    "Escalated to L2.",
    "Duplicate of an earlier ticket, merging.",
    "Called the customer, no answer.",
)

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Ben", "Chloé", "David", "Emma", "François", "Greta", "Hiro", "Ines", "Jürgen",
    "Kai", "Lena", "Marta", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Søren", "Tomasz",
    "Uma", "Viktor", "Wei", "Xavier", "Yara", "Zoë", "Łukasz", "Seán", "Ngozi", "Aiko",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Müller", "O'Brien", "García", "Nakamura", "Kowalski", "Dubois", "Rossi", "Jensen",
    "Novák", "Ivanova", "Silva", "Nguyen", "Okafor", "Schmidt", "de la Cruz", "Lindqvist",
    "Papadopoulos", "Yilmaz", "Kim", "Brown", "Martin", "Costa", "Weiß", "Ferreira",
)

# ASCII slugs for e-mail addresses; real systems often refuse non-ASCII local parts.
EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "mail.example.org", "kunde.example.de", "client.example.fr", "corp.example.net",
)

AGENT_NAMES: tuple[str, ...] = (
    "Alex Agent", "Bea Support", "Carl Helpdesk", "Dana Ops", "Eli Billing", "Fay Tech", "Gus Lead",
    "Hana Service", "Ivo Returns", "Jo Onboarding", "Kim Escalation", "Lou Night Shift",
)

COMPANY_NAMES: tuple[str, ...] = (
    "Acme Corp", "Globex", "Initech", "Umbrella GmbH", "Soylent S.A.", "Hooli", "Vandelay Industries",
    "Wayne Enterprises", "Stark Industries", "Müller & Söhne KG",
)

TICKET_TYPES: tuple[str | None, ...] = ("Question", "Incident", "Problem", "Feature Request", "Refund", None)
TICKET_TYPE_WEIGHTS: tuple[float, ...] = (40, 25, 10, 5, 10, 10)

TAG_SETS: tuple[tuple[str, ...], ...] = (
    (),
    (),
    (),
    ("vip",),
    ("billing", "refund"),
    ("urgent",),
    ("login", "2fa"),
    ("hardware",),
    ("ünïcode-tag",),
    ("bulk-import", "migrated"),
)

CF_PRODUCTS: tuple[str | None, ...] = ("Widget Pro", "Widget Lite", "Cloud Suite", "Mobile App", None)
CF_REGIONS: tuple[str | None, ...] = ("EMEA", "AMER", "APAC", None)
CF_TIERS: tuple[str | None, ...] = ("gold", "silver", "bronze", None)

TIME_ENTRY_NOTES: tuple[str, ...] = (
    "Investigated the issue",
    "Phone call with the customer",
    "Remote session",
    "Wrote the knowledge base article",
    "",
)
