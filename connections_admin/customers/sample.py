"""Realistic made-up customer profiles, for the demo (``seed_demo``) and load tests
(``generate_load_data --customers``). Deterministic for a given ``random.Random``.

``sample_customers`` yields tuples in the order of ``FIELDS`` (the export field keys),
every value a string but ``lifetime_value``: a decimal string with two places, or
``None`` (no purchase yet). It draws whole columns at a time (``Random.choices``), so a
million rows take a few seconds.
"""

import itertools
import random
from collections.abc import Iterator

from django.utils import timezone

from .models import FIELDS

__all__ = ["FIELDS", "TIERS", "sample_customers"]

FIRST_NAMES = (
    "Aigerim", "Alexander", "Alice", "Amelia", "Ana", "Anna", "Arman", "Aruzhan", "Ben",
    "Camille", "Carlos", "Charlotte", "Chloé", "Daniel", "David", "Elena", "Elif", "Emily",
    "Emma", "Ethan", "Fatima", "Felix", "Freya", "Gabriel", "Hannah", "Hugo", "Isabella",
    "Jack", "James", "Javier", "Johanna", "Julia", "Karim", "Laura", "Leon", "Lucas",
    "Lucía", "Maria", "Mateo", "Mia", "Mohammed", "Nurlan", "Noah", "Olivia", "Oscar",
    "Paul", "Priya", "Rahul", "Ruslan", "Sara", "Sofia", "Sophie", "Thomas", "Tomás",
    "Yerlan", "Zeynep", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Abenov", "Andersen", "Bauer", "Becker", "Brown", "Costa", "Dubois", "Fernández",
    "Fischer", "García", "Hansen", "Jansen", "Johnson", "Kaya", "Kim", "Kowalski", "Kumar",
    "Larsen", "Lefebvre", "López", "Martin", "Martínez", "Meyer", "Moreau", "Müller",
    "Nowak", "Nurpeisova", "O'Brien", "Patel", "Petrov", "Rossi", "Russo", "Santos",
    "Schmidt", "Schneider", "Seitkali", "Silva", "Smith", "Taylor", "Tokayeva", "Virtanen",
    "Wagner", "Walsh", "Weber", "Williams", "Wilson", "Yılmaz", "Zhang",
)  # fmt: skip
# city, country, phone prefix, postal code pattern (# a digit, @ a letter), weight
PLACES = (
    ("London", "United Kingdom", "+44 20", "@@# #@@", 9),
    ("Manchester", "United Kingdom", "+44 161", "M# #@@", 4),
    ("Dublin", "Ireland", "+353 1", "D## @###", 3),
    ("Paris", "France", "+33 1", "750##", 7),
    ("Lyon", "France", "+33 4", "690##", 3),
    ("Berlin", "Germany", "+49 30", "1####", 7),
    ("Munich", "Germany", "+49 89", "80###", 4),
    ("Hamburg", "Germany", "+49 40", "2####", 3),
    ("Madrid", "Spain", "+34 91", "280##", 5),
    ("Barcelona", "Spain", "+34 93", "080##", 4),
    ("Milan", "Italy", "+39 02", "201##", 4),
    ("Rome", "Italy", "+39 06", "001##", 3),
    ("Amsterdam", "Netherlands", "+31 20", "10## @@", 4),
    ("Copenhagen", "Denmark", "+45", "1###", 2),
    ("Stockholm", "Sweden", "+46 8", "1## ##", 2),
    ("Helsinki", "Finland", "+358 9", "00###", 1),
    ("Warsaw", "Poland", "+48 22", "0#-###", 3),
    ("Lisbon", "Portugal", "+351 21", "1###-###", 2),
    ("Istanbul", "Turkey", "+90 212", "34###", 3),
    ("Almaty", "Kazakhstan", "+7 727", "A##@#@#", 4),
    ("Astana", "Kazakhstan", "+7 7172", "Z##@#@#", 3),
    ("New York", "United States", "+1 212", "100##", 6),
    ("Chicago", "United States", "+1 312", "606##", 3),
    ("San Francisco", "United States", "+1 415", "941##", 3),
    ("Toronto", "Canada", "+1 416", "M#@ #@#", 3),
    ("São Paulo", "Brazil", "+55 11", "0####-###", 2),
    ("Mumbai", "India", "+91 22", "400 0##", 2),
    ("Singapore", "Singapore", "+65", "######", 2),
    ("Sydney", "Australia", "+61 2", "2###", 2),
)
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "mail.com")
TIERS = ("", "Bronze", "Silver", "Gold", "Platinum")
TIER_WEIGHTS = (30, 35, 20, 11, 4)
CHUNK = 10_000

_ASCII = str.maketrans("áéíóúüöçğıñãèêëà'", "aeiouuocginaeeea ")


def _ascii(name: str) -> str:
    return name.lower().translate(_ASCII).replace(" ", "")


def _postal_codes(rng: random.Random, pattern: str, count: int = 500) -> list[str]:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return [
        "".join(
            rng.choice("0123456789") if c == "#" else rng.choice(letters) if c == "@" else c
            for c in pattern
        )
        for _ in range(count)
    ]


def sample_customers(
    rng: random.Random, count: int, *, prefix: str = "C", start: int = 1
) -> Iterator[tuple]:
    """``count`` profiles with customer IDs ``{prefix}{number:08d}`` from ``start`` on."""
    places = [
        (city, country, phone, _postal_codes(rng, pattern))
        for city, country, phone, pattern, _w in PLACES
    ]
    place_weights = [place[-1] for place in PLACES]
    emails = {name: _ascii(name) for name in FIRST_NAMES + LAST_NAMES}
    made = 0
    while made < count:
        k = min(CHUNK, count - made)
        firsts = rng.choices(FIRST_NAMES, k=k)
        lasts = rng.choices(LAST_NAMES, k=k)
        where = rng.choices(places, weights=place_weights, k=k)
        tiers = rng.choices(TIERS, weights=TIER_WEIGHTS, k=k)
        domains = rng.choices(DOMAINS, k=k)
        for i in range(k):
            number = start + made + i
            first, last, (city, country, phone, postal_codes) = firsts[i], lasts[i], where[i]
            tier = tiers[i]
            if rng.random() < 0.03:
                value = None
            else:
                boost = 1.0 + TIERS.index(tier) * 0.6
                value = f"{min(rng.lognormvariate(5.0, 1.1) * boost, 9_999_999):.2f}"
            yield (
                f"{prefix}{number:08d}",
                f"{emails[first]}.{emails[last]}{number % 997}@{domains[i]}",
                first,
                last,
                f"{phone} {rng.randrange(1_000_000, 9_999_999)}",
                city,
                country,
                postal_codes[number % len(postal_codes)],
                tier,
                value,
            )
        made += k


def insert_sample_customers(
    rng: random.Random, count: int, *, segment_id: int, prefix: str = "C"
) -> int:
    """Insert ``count`` sample profiles, every one a member of ``segment_id``, as fast as
    the database allows (PostgreSQL: COPY; others: executemany in batches), then recount
    that segment. For load tests: no model code per row. Returns the number inserted."""
    from django.db import connection

    from .models import Customer, Membership
    from .services import segments_recount

    quote = connection.ops.quote_name
    table = quote(Customer._meta.db_table)
    columns = [*FIELDS, "updated_at"]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = sample_customers(rng, count, prefix=prefix)
    with connection.cursor() as cursor:
        # Every identifier below comes from model metadata; every value is a parameter.
        cursor.execute(f"SELECT MAX({quote('id')}) FROM {table}")  # noqa: S608  # nosec B608
        before = cursor.fetchone()[0] or 0
        if connection.vendor == "postgresql":
            names = ", ".join(quote(name) for name in columns)
            stamp = str(now)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                while chunk := list(itertools.islice(rows, CHUNK)):
                    # Made-up values: never a tab, newline or backslash to escape.
                    copy.write(
                        "".join(
                            "\t".join((*row[:-1], "\\N" if row[-1] is None else row[-1], stamp))
                            + "\n"
                            for row in chunk
                        )
                    )
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(quote(name) for name in columns)}) "  # noqa: S608  # nosec B608
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            while chunk := list(itertools.islice(rows, CHUNK)):
                cursor.executemany(sql, [(*row, now) for row in chunk])
        membership = quote(Membership._meta.db_table)
        cursor.execute(
            f"INSERT INTO {membership} ({quote('segment_id')}, {quote('customer_id')}) "  # noqa: S608  # nosec B608
            f"SELECT %s, {quote('id')} FROM {table} WHERE {quote('id')} > %s "
            f"ORDER BY {quote('id')}",
            [segment_id, before],
        )
    segments_recount([segment_id])
    return count
