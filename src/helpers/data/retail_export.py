"""A look-alike of a real online retailer's invoice-line export (the public UCI "Online Retail" file of a UK gift
shop, 2010-12 to 2011-12), with the truth a correct reading of it must find.

What makes such a file hard, planted here: one line per product with quantity and unit price but no amount;
cancellations as invoices prefixed 'C' that undo lines of an earlier invoice (some of purchases made before the
export starts); a quarter of the lines without a customer id (guest checkouts); non-product codes (postage, fees,
manual adjustments, discounts, bank charges); a free-text product description with thousands of values; a country
per customer; wholesale buyers, and two huge orders cancelled minutes later; a gift shop's autumn peak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.artifacts import atomic_path
from helpers.data.datasets import simulate_bgnbd_gamma_gamma

__all__ = [
    "COLUMNS",
    "COUNTRIES",
    "COUNTRY_SHARES",
    "DATE_FORMAT",
    "END",
    "HUGE_ORDERS",
    "NON_PRODUCT",
    "NON_PRODUCT_CODES",
    "RETAIL_COLUMNS",
    "SEASON",
    "START",
    "WORDS",
    "RetailExport",
    "write_online_retail_export",
]

COLUMNS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
START, END = date(2010, 12, 1), date(2011, 12, 9)
DATE_FORMAT = "%m/%d/%Y %H:%M"
RETAIL_COLUMNS = {"customer_id": "CustomerID", "order_date": "InvoiceDate", "order_id": "InvoiceNo",
                  "product_id": "StockCode", "product_name": "Description", "quantity": "Quantity",
                  "unit_price": "UnitPrice", "region": "Country"}  # fmt: skip
NON_PRODUCT = {  # code: (description, unit price)
    "POST": ("POSTAGE", 18.0),
    "DOT": ("DOTCOM POSTAGE", 120.0),
    "M": ("Manual", 9.5),
    "C2": ("CARRIAGE", 50.0),
    "BANK CHARGES": ("Bank Charges", 15.0),
    "D": ("Discount", 12.0),
    "CRUK": ("CRUK Commission", 6.0),
    "AMAZONFEE": ("AMAZON FEE", 1800.0),
}
NON_PRODUCT_CODES = tuple(NON_PRODUCT)
# the autumn run-up to Christmas: purchase rates by calendar month, relative to the rest of the year
SEASON = {9: 1.5, 10: 1.8, 11: 2.2}
COUNTRIES = ("United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland")
COUNTRY_SHARES = (0.9, 0.025, 0.022, 0.02, 0.01, 0.008, 0.008, 0.007)
WORDS = ("WHITE", "RED", "PINK", "HANGING", "HEART", "T-LIGHT", "HOLDER", "VINTAGE", "JUMBO", "BAG", "LUNCH",
         "BOX", "CAKE", "CASES", "REGENCY", "TEACUP", "SAUCER", "PAPER", "CHAIN", "KIT", "CHRISTMAS", "STAR",
         "GLASS", "LANTERN", "RETROSPOT", "SPOTTY", "BUNTING", "DOORMAT", "CERAMIC", "STORAGE", "JAR")  # fmt: skip
HUGE_ORDERS = ((80_995, 2.08, "PAPER CRAFT , LITTLE BIRDIE"), (74_215, 1.04, "MEDIUM CERAMIC TOP STORAGE JAR"))


@dataclass(frozen=True)
class RetailExport:
    """The look-alike file and what reading it correctly must find."""

    path: Path
    truth: dict


def _descriptions(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct product descriptions in the shop's style ('WHITE HANGING HEART T-LIGHT HOLDER')."""
    seen: dict[str, None] = {}
    while len(seen) < n:
        words = rng.choice(WORDS, rng.integers(2, 6), replace=False)
        seen.setdefault(" ".join(words), None)
    return list(seen)


def _timestamps(days: np.ndarray, rng: np.random.Generator, start: date) -> pd.Series:
    minutes = rng.integers(8 * 60, 19 * 60, len(days))
    moments = pd.Timestamp(start) + pd.to_timedelta(days, unit="D") + pd.to_timedelta(minutes, unit="min")
    return pd.Series(moments)


def _written(moments: pd.Series) -> pd.Series:
    """'12/1/2010 8:26': the export's month/day/year without leading zeros."""
    return (moments.dt.month.astype(str) + "/" + moments.dt.day.astype(str) + "/" + moments.dt.year.astype(str) + " "
            + moments.dt.hour.astype(str) + ":" + moments.dt.strftime("%M"))  # fmt: skip


def _customer_visits(n_customers: int, rng: np.random.Generator, start: date) -> pd.DataFrame:
    """Invoice days per customer: BG/NBD visits thinned by the season (every customer's first one kept)."""
    span = (END - start).days
    first = rng.integers(0, span, n_customers)
    first = np.where(rng.random(n_customers) < 0.3, rng.integers(0, 30, n_customers), first)  # existing customers
    peak = max(SEASON.values())
    visits = simulate_bgnbd_gamma_gamma(n_customers, rng, r=0.9, alpha=3.0 / peak, a=0.6, b=3.0, p=1.0, q=1.0, v=1.0,
                                        weeks_observed=(span - first) / 7.0)  # fmt: skip
    visits["day"] = first[visits["customer"]] + np.floor(visits["week"] * 7).astype(int)
    month = (pd.Timestamp(start) + pd.to_timedelta(visits["day"], unit="D")).dt.month
    keep = (visits["week"] == 0) | (rng.random(len(visits)) < month.map(SEASON).fillna(1.0).to_numpy() / peak)
    return visits.loc[keep, ["customer", "day"]].drop_duplicates(ignore_index=True)


def write_online_retail_export(out_dir: Path, n_customers: int = 4_300, seed: int = 11, *,
                               start: date = START) -> RetailExport:  # fmt: skip
    """The export as a CSV in `out_dir` (UTF-8, the UCI file's columns), and its truth; from `start` to 2011-12-09
    (the UCI file's year by default; an earlier start gives seasons seen before, as the file's second edition)."""
    rng = np.random.default_rng(seed)
    n_products = 3_600
    codes = np.array([f"{20_000 + 7 * i}" + ("" if i % 5 else "B") for i in range(n_products)])
    names = np.array(_descriptions(rng, n_products))
    prices = np.round(np.exp(rng.normal(0.9, 0.8, n_products)), 2)
    country = rng.choice(COUNTRIES, n_customers, p=COUNTRY_SHARES)
    wholesale = rng.random(n_customers) < 0.03
    visits = _customer_visits(n_customers, rng, start)
    guests = pd.DataFrame({"customer": -1, "day": rng.integers(0, (END - start).days, len(visits) // 4)})
    invoices = pd.concat([visits, guests], ignore_index=True)
    invoices["moment"] = _timestamps(invoices["day"].to_numpy(), rng, start)
    invoices = invoices.sort_values("moment", ignore_index=True)
    invoices["invoice"] = (536_365 + np.arange(len(invoices))).astype(str)
    sizes = 1 + rng.poisson(np.where(invoices["customer"] < 0, 40, 17))
    line_invoice = np.repeat(np.arange(len(invoices)), sizes)
    # a long tail of products, and each customer's favourites: 40% of a customer's lines are among their 15
    popularity = 1.0 / (np.arange(n_products) + 10.0) ** 0.9
    product = rng.choice(n_products, len(line_invoice), p=popularity / popularity.sum())
    favourites = rng.choice(n_products, (n_customers, 15), p=popularity / popularity.sum())
    line_customer = invoices["customer"].to_numpy()[line_invoice]
    usual = (line_customer >= 0) & (rng.random(len(line_invoice)) < 0.4)
    product[usual] = favourites[line_customer[usual], rng.integers(0, 15, int(usual.sum()))]
    lines = pd.DataFrame({"invoice_row": line_invoice, "product": product}).drop_duplicates(ignore_index=True)
    customer = invoices["customer"].to_numpy()[lines["invoice_row"]]
    quantity = rng.choice([1, 2, 3, 4, 6, 8, 12, 24], len(lines), p=[0.2, 0.15, 0.1, 0.1, 0.15, 0.05, 0.2, 0.05])
    bulk = (customer >= 0) & wholesale[np.maximum(customer, 0)]
    quantity = np.where(bulk, quantity * rng.integers(10, 40, len(lines)), quantity)
    lines = lines.assign(customer=customer, quantity=quantity, code=codes[lines["product"]],
                         name=names[lines["product"]], price=prices[lines["product"]])  # fmt: skip
    # cancellations: some invoices have lines undone days later ('C' + a new number), never more than was bought
    bought = lines[lines["customer"] >= 0]
    undone = bought[rng.random(len(bought)) < 0.02].copy()
    undone["quantity"] = -np.ceil(undone["quantity"] * rng.uniform(0.3, 1.0, len(undone))).astype(int)
    undone["later"] = rng.integers(0, 21, len(undone))
    # cancellations of purchases made before the export starts: nothing in the file to net them against
    before = bought.drop_duplicates("customer").sample(frac=0.05, random_state=seed).copy()
    before["product"] = (before["product"] + n_products // 2) % n_products
    before = before.assign(code=codes[before["product"]], name=names[before["product"]],
                           price=prices[before["product"]], quantity=-1, later=0)  # fmt: skip
    undone = pd.concat([undone, before], ignore_index=True)
    # non-product lines: postage on exports abroad, manual adjustments, bank charges, fees on guest orders
    invoice_customer = invoices["customer"].to_numpy()
    abroad = (invoice_customer >= 0) & (country[np.maximum(invoice_customer, 0)] != COUNTRIES[0])
    fee_lines = []
    for code, share, eligible in (("POST", 0.6, abroad), ("C2", 0.05, abroad), ("M", 0.004, invoice_customer >= 0),
                                  ("BANK CHARGES", 0.002, invoice_customer >= 0),
                                  ("DOT", 0.3, invoice_customer < 0)):  # fmt: skip
        rows = np.flatnonzero(eligible & (rng.random(len(invoices)) < share))
        fee_lines.append(pd.DataFrame({"invoice_row": rows, "customer": invoice_customer[rows], "code": code,
                                  "name": NON_PRODUCT[code][0], "price": NON_PRODUCT[code][1],
                                  "quantity": rng.integers(1, 3, len(rows)) if code == "POST" else 1}))  # fmt: skip
    fees = pd.concat(fee_lines, ignore_index=True)
    credits = []  # discounts and commissions arrive as cancellation lines
    for code, share, eligible in (("D", 0.003, invoice_customer >= 0), ("CRUK", 0.002, invoice_customer >= 0),
                                  ("AMAZONFEE", 0.001, invoice_customer < 0)):  # fmt: skip
        rows = np.flatnonzero(eligible & (rng.random(len(invoices)) < share))
        credits.append(pd.DataFrame({"invoice_row": rows, "customer": invoice_customer[rows], "code": code,
                                     "name": NON_PRODUCT[code][0], "price": NON_PRODUCT[code][1], "quantity": -1,
                                     "later": 0}))  # fmt: skip
    undone = pd.concat([undone, *credits], ignore_index=True)
    moments = invoices["moment"]
    out = [
        _frame(lines.assign(invoice=invoices["invoice"].to_numpy()[lines["invoice_row"]],
                            moment=moments.to_numpy()[lines["invoice_row"]]), country),
        _frame(fees.assign(invoice=invoices["invoice"].to_numpy()[fees["invoice_row"]],
                           moment=moments.to_numpy()[fees["invoice_row"]]), country),
    ]  # fmt: skip
    undo_moment = moments.to_numpy()[undone["invoice_row"]] + pd.to_timedelta(undone["later"], unit="D").to_numpy()
    undo_moment = np.minimum(undo_moment, np.datetime64(pd.Timestamp(END) + pd.Timedelta(hours=18)))
    undo_invoice = undone.groupby(["invoice_row", "later"], sort=False).ngroup().to_numpy()
    out.append(_frame(undone.assign(invoice="C" + (581_600 + undo_invoice).astype(str), moment=undo_moment),
                      country))  # fmt: skip
    out.append(_huge_orders(rng, invoice_customer, moments=moments, country=country))
    export = pd.concat(out, ignore_index=True).sort_values(["_moment", "InvoiceNo"], kind="stable", ignore_index=True)
    truth = _truth(export)
    path = Path(out_dir) / "online_retail.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        export.drop(columns=["_moment", "_money"]).to_csv(tmp, index=False)
    return RetailExport(path, truth)


def _frame(lines: pd.DataFrame, country: np.ndarray) -> pd.DataFrame:
    """Lines in the export's columns, with the moment and money kept aside for the truth."""
    customer = lines["customer"].to_numpy()
    moment = pd.Series(pd.to_datetime(lines["moment"].to_numpy()))
    return pd.DataFrame({
        "InvoiceNo": lines["invoice"].to_numpy(), "StockCode": lines["code"].to_numpy(),
        "Description": lines["name"].to_numpy(), "Quantity": lines["quantity"].to_numpy(),
        "InvoiceDate": _written(moment).to_numpy(), "UnitPrice": lines["price"].to_numpy(),
        "CustomerID": np.where(customer >= 0, (12_346 + np.maximum(customer, 0)).astype(str), ""),
        "Country": np.where(customer >= 0, country[np.maximum(customer, 0)], COUNTRIES[0]),
        "_moment": moment.to_numpy(), "_money": np.round(lines["quantity"].to_numpy() * lines["price"].to_numpy(), 2),
    })  # fmt: skip


def _huge_orders(rng: np.random.Generator, invoice_customer: np.ndarray, *, moments: pd.Series,
                 country: np.ndarray) -> pd.DataFrame:  # fmt: skip
    """Two enormous orders, each cancelled minutes later (the UCI file's £168,469.60 and £77,183.60)."""
    rows = []
    buyers = rng.choice(np.flatnonzero(invoice_customer >= 0), len(HUGE_ORDERS), replace=False)
    for number, (row, (quantity, price, name)) in enumerate(zip(buyers, HUGE_ORDERS, strict=True)):
        at = moments.iloc[row] + pd.Timedelta(minutes=1)
        for sign, invoice in ((1, f"58{number}000"), (-1, f"C58{number}001")):
            rows.append({"invoice": invoice, "code": f"2384{number}", "name": name, "quantity": sign * quantity,
                         "price": price, "customer": invoice_customer[row],
                         "moment": at + pd.Timedelta(minutes=12 if sign < 0 else 0)})  # fmt: skip
    return _frame(pd.DataFrame(rows), country)


def _truth(export: pd.DataFrame) -> dict:
    """What a correct reading must find: lines, money, guest lines, cancellations, fees, each customer's net."""
    known = export["CustomerID"] != ""
    fee = export["StockCode"].isin(NON_PRODUCT_CODES)
    cancel = export["InvoiceNo"].str.startswith("C")
    products = known & ~fee
    unmatched = products & cancel & ~_bought_before(export, products)
    net = export.loc[products & ~unmatched].groupby("CustomerID")["_money"].sum()
    return {
        "lines": len(export),
        "money": round(float(export["_money"].sum()), 2),
        "guest_lines": int((~known).sum()),
        "non_product_lines": int((known & fee).sum()),
        "non_product_money": round(float(export.loc[known & fee, "_money"].sum()), 2),
        "cancellation_lines": int((products & cancel).sum()),
        "unmatched_cancellation_lines": int(unmatched.sum()),
        "net_revenue": round(float(net.sum()), 2),
        "customers": int(export.loc[products & ~cancel, "CustomerID"].nunique()),
        "huge_orders": [round(q * p, 2) for q, p, _ in HUGE_ORDERS],
        "net_by_customer": net.round(2).to_dict(),
    }


def _bought_before(export: pd.DataFrame, products: pd.Series) -> pd.Series:
    """Per line: whether its customer bought its product at or before its moment (a cancellation can net)."""
    bought = export.loc[products & (export["Quantity"] > 0), ["CustomerID", "StockCode", "_moment"]]
    first = bought.groupby(["CustomerID", "StockCode"])["_moment"].min().rename("_first")
    joined = export[["CustomerID", "StockCode", "_moment"]].join(first, on=["CustomerID", "StockCode"])
    return joined["_first"].notna() & (joined["_first"] <= joined["_moment"])
