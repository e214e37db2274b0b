"""Vectors for CNH's remaining eSubmission sub-functions (seed: cnh-esubmission-warranty-claims-api.txt):
Claim Attachments, PPP MPS & T&C, Smart Alert, EZ Labor, PIP Multilevel and the three claim invoice
reports with their reconciliation. Each expected answer comes from the small models below, written
from the seed's tables, not from the Rust code."""

import base64
import json
import re
from decimal import Decimal
from urllib.parse import quote

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10]) + b"JFIF\x00" + b"\x00" * 9
B64 = lambda b: base64.b64encode(b).decode()
MEDIA = {"application/pdf": ("pdf", b"%PDF-"), "image/jpeg": ("jpeg", b"\xff\xd8\xff")}


def q(path, params):
    return path + "?" + "&".join(f"{k}={quote(v, safe='-._~')}" for k, v in params)


def amount(v):
    """The seed's amounts: numbers, `2,302.76`, SAP's trailing minus; blank is absent."""
    if v is None:
        return None
    t = (repr(v) if isinstance(v, float) else str(v)).strip()
    if t == "":
        return None
    neg = t.startswith("-") or t.endswith("-")
    t = t.strip("-")
    assert re.fullmatch(r"(\d{1,3}(,\d{3})+|\d+)(\.\d+)?", t), t
    d = Decimal(t.replace(",", ""))
    return str(-d if neg else d)


def add(vec, ok, err):
    # --- Claim Attachments -------------------------------------------------------------------------
    A = "/external/services/warrantyclaim/attachment"

    def upload(u):
        ctype = u["content_type"].split(";")[0].strip().lower()
        atttype, _ = MEDIA[ctype]
        params = ([("attname", u["name"])] if u.get("name", "").strip() else []) + [
            ("sap-client", "602"), ("atttype", atttype), ("objkey", u["claim_number"])]
        data = base64.b64decode(u["data_base64"])
        return {"method": "POST", "path": q(A, params), "headers": {"Content-Type": ctype},
                "body_base64": B64(data), "size": len(data)}

    for name, u in [
        ("pdf", {"claim_number": "202500006190", "name": "invoice.pdf", "content_type": "application/pdf",
                 "data_base64": B64(PDF)}),
        ("jpeg_as_the_seed_spells_it", {"claim_number": "202500006190", "name": "pump seal 1.jpg",
                                        "content_type": "Image/jpeg", "data_base64": B64(JPEG)}),
        ("without_a_name", {"claim_number": "202500006190", "content_type": "image/jpeg", "data_base64": B64(JPEG)}),
        ("at_the_hosts_limit", {"claim_number": "1", "content_type": "application/pdf", "data_base64": B64(PDF),
                                "max_bytes": len(PDF)}),
    ]:
        vec("cnh_attachment_upload_" + name, {"op": "cnh_attachment_request", "upload": u}, ok(upload(u)))
    good = {"claim_number": "202500006190", "content_type": "application/pdf", "data_base64": B64(PDF)}
    for name, change, path in [
        ("a_jpeg_declared_as_pdf", {"data_base64": B64(JPEG)}, "upload.data_base64"),
        ("a_text_file", {"data_base64": B64(b"hello"), "content_type": "image/jpeg"}, "upload.data_base64"),
        ("a_png_type", {"content_type": "image/png"}, "upload.content_type"),
        ("over_the_limit", {"max_bytes": len(PDF) - 1}, "upload.data_base64"),
        ("empty", {"data_base64": ""}, "upload.data_base64"),
        ("not_base64", {"data_base64": "%%%"}, "upload.data_base64"),
        ("no_claim_number", {"claim_number": " "}, "upload.claim_number"),
        ("claim_number_too_long", {"claim_number": "2025000061901"}, "upload.claim_number"),
        ("unknown_field", {"objkey": "1"}, "upload.objkey"),
    ]:
        vec("cnh_attachment_upload_refuses_" + name,
            {"op": "cnh_attachment_request", "upload": dict(good, **change)}, err("INVALID_INPUT", path))
    vec("cnh_attachment_request_both", {"op": "cnh_attachment_request", "upload": good,
                                        "fetch": {"claim_number": "1", "content_type": "application/pdf"}},
        err("INVALID_INPUT", ""))
    vec("cnh_attachment_request_neither", {"op": "cnh_attachment_request"}, err("INVALID_INPUT", ""))
    vec("cnh_attachment_fetch", {"op": "cnh_attachment_request",
                                 "fetch": {"claim_number": "202500006190", "name": "invoice.pdf",
                                           "content_type": "application/pdf"}},
        ok({"method": "GET", "path": q(A, [("attname", "invoice.pdf"), ("sap-client", "602"), ("atttype", "pdf"),
                                           ("objkey", "202500006190")]),
            "headers": {"Accept": "application/pdf"}}))

    def reply(status, body):
        try:
            v = json.loads(body)
        except ValueError:
            v = None
        success = 200 <= status <= 299
        retry = status in (408, 429) or 500 <= status <= 599
        if isinstance(v, dict):
            code, msg = str(v.get("statuscode", "")).strip(), str(v.get("message", "")).strip()
        else:
            code, msg = "", body.strip()[:500]
        out = {"ok": success and code == "200", "status": status, "retry": retry, "message": msg}
        if code:
            out["statuscode"] = code
        return out

    seed_ok = json.dumps({"statuscode": "200", "message": "Claim Processing Completed."})
    for name, status, body in [("seed_success", 200, seed_ok),
                               ("bad_request", 400, json.dumps({"statuscode": "400",
                                                                "message": "Invalid Content-Type / format"})),
                               ("server_error_text", 500, "Internal Server Error"),
                               ("rate_limited", 429, ""),
                               ("success_status_with_an_error_code", 200, json.dumps({"statuscode": "422",
                                                                                      "message": "Data related error"}))]:
        vec("cnh_attachment_answer_" + name, {"op": "cnh_attachment_answer", "status": status, "body": body},
            ok(reply(status, body)))
    vec("cnh_attachment_answer_success_not_json", {"op": "cnh_attachment_answer", "status": 200, "body": "<html>"},
        err("INVALID_INPUT", "body"))
    vec("cnh_attachment_answer_success_without_statuscode",
        {"op": "cnh_attachment_answer", "status": 200, "body": '{"message": "done"}'},
        err("INVALID_INPUT", "body.statuscode"))
    vec("cnh_attachment_answer_status_out_of_range", {"op": "cnh_attachment_answer", "status": 700, "body": ""},
        err("INVALID_INPUT", "status"))

    # --- PPP MPS and T&C ---------------------------------------------------------------------------
    M = "/external/services/warrantyclaim/ppp/mpsandtnc"
    for doc in ["M", "T"]:
        vec("cnh_mps_tc_request_" + doc, {"op": "cnh_mps_tc_request", "serial": "HAJF9N4LCMG247385", "document": doc},
            ok({"method": "GET", "path": q(M, [("serialnumber", "HAJF9N4LCMG247385"), ("mps_tc_indicator", doc)]),
                "headers": {"Accept": "application/pdf"}}))
    vec("cnh_mps_tc_request_serial_encoded", {"op": "cnh_mps_tc_request", "serial": "YDG 222/373", "document": "T"},
        ok({"path": q(M, [("serialnumber", "YDG 222/373"), ("mps_tc_indicator", "T")])}))
    vec("cnh_mps_tc_request_unknown_indicator", {"op": "cnh_mps_tc_request", "serial": "X", "document": "B"},
        err("INVALID_INPUT", "document"))
    vec("cnh_mps_tc_request_no_serial", {"op": "cnh_mps_tc_request", "serial": "", "document": "M"},
        err("INVALID_INPUT", "serial"))

    def document(status, ctype, data, expect):
        if not 200 <= status <= 299:
            out = {"ok": False, "status": status, "retry": status in (408, 429) or 500 <= status <= 599}
            if data.decode().strip():
                out["message"] = data.decode().strip()
            return out
        return {"ok": True, "status": status, "retry": False, "content_type": expect, "size": len(data)}

    for name, status, ctype, data, expect in [
        ("mps_pdf", 200, "application/pdf", PDF, "application/pdf"),
        ("pdf_with_parameters", 200, "Application/PDF; name=tnc.pdf", PDF, "application/pdf"),
        ("attachment_jpeg", 200, "image/jpeg", JPEG, "image/jpeg"),
        ("not_found", 422, "text/plain", b"No claims found based on input parameters", "application/pdf"),
        ("server_error", 503, "", b"", "application/pdf"),
    ]:
        vec("cnh_document_answer_" + name,
            {"op": "cnh_document_answer", "status": status, "content_type": ctype, "body_base64": B64(data),
             "expect": expect}, ok(document(status, ctype, data, expect)))
    for name, ctype, data, expect, path in [
        ("html_error_page_sent_as_200", "text/html", b"<html>error</html>", "application/pdf", "content_type"),
        ("jpeg_when_a_pdf_was_asked", "image/jpeg", JPEG, "application/pdf", "content_type"),
        ("labelled_pdf_but_not_one", "application/pdf", b"<html>", "application/pdf", "body_base64"),
        ("expecting_an_unknown_type", "application/pdf", PDF, "text/plain", "expect"),
    ]:
        vec("cnh_document_answer_refuses_" + name,
            {"op": "cnh_document_answer", "status": 200, "content_type": ctype, "body_base64": B64(data),
             "expect": expect}, err("INVALID_INPUT", path))

    # --- Smart Alert -------------------------------------------------------------------------------
    DESCRIPTIONS = {"DRAFT": "draft", "SUBMITTED": "submitted", "AWAITING ADDITIONAL DEALER INFO": "needs_info",
                    "CLAIM APPROVED": "approved", "CLAIM REJECTED": "rejected", "CLAIM PAID": "closed",
                    "CLAIM CANCELLED": "cancelled", "CLAIM CANCELLED/REPLACED": "cancelled"}
    CODES = {10: "draft", 20: "submitted", 30: "needs_info", 40: "approved", 50: "rejected", 80: "closed",
             90: "cancelled", 91: "cancelled"}
    AT = "2026-11-21T09:30:00+00:00"

    def mapped(status, description):
        if description:
            return DESCRIPTIONS.get(" ".join(description.split()).upper())
        digits = status.lstrip("Zz")
        return CODES.get(int(digits)) if digits.isdigit() else None

    def smart(body):
        out = {"ok": body["message_id"] == "S", "message_id": body["message_id"],
               "message_text": body.get("message_text", ""), "claims": [], "findings": []}
        rows = body.get("table_results") or []
        rows = [rows] if isinstance(rows, dict) else rows
        for i, r in enumerate(rows):
            g = lambda k: str(r.get(k, "")).strip()
            n, fb = g("cnh_claim_number"), g("smart_alert_feedback")
            alert = not (fb == "" or fb.upper() == "OK")
            c = {"cnh_claim_number": n, "dealer_code": g("dealer_code"), "serial": g("serial_number"),
                 "status": g("status"), "status_description": g("status_description"),
                 "failure_date": g("failure_date"), "creation_date": g("creation_date"),
                 "feedback": fb, "alert": alert}
            st = mapped(c["status"], c["status_description"])
            if st:
                c["partner_status"] = st
                c["update"] = {"partner": "cnh", "status": c["status"] or None,
                               "status_description": c["status_description"] or None, "at": AT}
            else:
                out["findings"].append({"code": "PARTNER_STATUS_UNKNOWN", "severity": "warning",
                                        "path": f"claims[{i}].status", "claim": n})
            if alert:
                out["findings"].append({"code": "SMART_ALERT", "severity": "warning",
                                        "path": f"claims[{i}].feedback", "claim": n,
                                        "message": f"CNH Smart Alert on claim {n}: {fb}"})
            out["claims"].append(c)
        return out

    seed_row = {"cnh_claim_number": "202020202020", "dealer_code": "0000123456", "serial_number": "HCCZFA10HMCJ11111",
                "status": "80", "status_description": "CLAIM PAID", "failure_date": "2024-05-20",
                "creation_date": "2024-05-23", "smart_alert_feedback": ""}
    for name, body in [
        ("seed_row_ok_feedback", {"message_id": "S", "message_text": "", "table_results": [seed_row]}),
        ("alert_needs_a_person", {"message_id": "S", "table_results": [
            dict(seed_row, status="20", status_description="SUBMITTED",
                 smart_alert_feedback="Vehicle hours 812.5 lower than the last claim (905)"),
            dict(seed_row, cnh_claim_number="202020202021", smart_alert_feedback="OK")]}),
        ("one_row_as_an_object", {"message_id": "S", "table_results": dict(seed_row, status="", status_description="")}),
        ("status_code_only", {"message_id": "S", "table_results": [dict(seed_row, status="Z030", status_description="")]}),
        ("unknown_status_is_a_finding", {"message_id": "S", "table_results": [
            dict(seed_row, status="77", status_description="", smart_alert_feedback="Check labour")]}),
        ("no_claims_found", {"message_id": "E", "message_text": "No claims found based on input parameters"}),
    ]:
        vec("cnh_smart_alert_answer_" + name, {"op": "cnh_smart_alert_answer", "body": json.dumps(body), "at": AT},
            ok(smart(body)))
    vec("cnh_smart_alert_answer_row_without_claim_number",
        {"op": "cnh_smart_alert_answer", "at": AT,
         "body": json.dumps({"message_id": "S", "table_results": [seed_row, {"status": "80"}]})},
        err("INVALID_INPUT", "body.table_results[1].cnh_claim_number"))
    vec("cnh_smart_alert_answer_without_message_id",
        {"op": "cnh_smart_alert_answer", "at": AT, "body": json.dumps({"table_results": []})},
        err("INVALID_INPUT", "body.message_id"))
    vec("cnh_smart_alert_answer_needs_at", {"op": "cnh_smart_alert_answer", "body": "{}"}, err("INVALID_INPUT", "at"))

    # --- EZ Labor ----------------------------------------------------------------------------------
    def ez(body):
        ok_ = body["message"] == "S"
        res = str(body.get("ez_result", "")).strip().upper()
        out = {"ok": ok_, "message_text": body.get("message_text", ""), "available": res in ("YES", "OK"),
               "reason": body.get("ez_reason", ""), "labor_code": body.get("ez_labor_code", ""),
               "labor_time": str(body.get("ez_labor_time", "")), "unique_id": body.get("ez_unique_id", ""),
               "attempts_message": body.get("ez_attempts_message", ""),
               "defects": [{"code": d.get("defect_code", ""), "description": d.get("defect_description", "")}
                           for d in body.get("table_defect", [])]}
        if amount(body.get("ez_freeze_wu")) is not None:
            out["freeze_wu"] = amount(body.get("ez_freeze_wu"))
        if str(body.get("ez_attempts", "")).strip():
            out["attempts"] = int(body["ez_attempts"])
        return out

    ez_yes = {"message": "S", "message_text": "", "ez_result": "YES", "ez_reason": "Standard repair",
              "ez_labor_code": "EZ01", "ez_labor_time": "2.5", "ez_unique_id": "6f1c2a9e-77b0-4b8e-9d52-1a2b3c4d5e6f",
              "ez_freeze_wu": 2.5, "ez_attempts": "2", "ez_attempts_message": "2 attempts left",
              "table_defect": [{"defect_code": "10102AK", "defect_description": "ENGIN BLOCK COVER"}]}
    for name, body in [
        ("yes", ez_yes),
        ("ok_as_yes_with_text_work_units", dict(ez_yes, ez_result="Ok", ez_freeze_wu="3.00", ez_attempts=0)),
        ("no", {"message": "S", "ez_result": "NO", "ez_reason": "Needs standard repair times", "ez_attempts": "1"}),
        ("ko", {"message": "S", "ez_result": "KO"}),
        ("error_message", {"message": "E", "message_text": "Please, fill all mandatory data to call the service."}),
    ]:
        vec("cnh_ez_labor_answer_" + name, {"op": "cnh_ez_labor_answer", "body": json.dumps(body)}, ok(ez(body)))
    for name, body, path in [
        ("yes_without_unique_id", dict(ez_yes, ez_unique_id=""), "body.ez_unique_id"),
        ("result_not_yes_or_no", dict(ez_yes, ez_result="MAYBE"), "body.ez_result"),
        ("negative_work_units", dict(ez_yes, ez_freeze_wu="-1"), "body.ez_freeze_wu"),
        ("work_units_with_a_decimal_comma", dict(ez_yes, ez_freeze_wu="2,5"), "body.ez_freeze_wu"),
        ("attempts_not_a_number", dict(ez_yes, ez_attempts="two"), "body.ez_attempts"),
        ("message_missing", {"ez_result": "YES"}, "body.message"),
    ]:
        vec("cnh_ez_labor_answer_refuses_" + name, {"op": "cnh_ez_labor_answer", "body": json.dumps(body)},
            err("INVALID_INPUT", path))

    # --- PIP Multilevel ----------------------------------------------------------------------------
    def pip(body):
        rows = body.get("table_results") or []
        rows = [rows] if isinstance(rows, dict) else rows
        parts = [{"pip_code": r.get("pip_code", ""), "level": r.get("levelid", ""),
                  "defect_code": r.get("defect_code", ""),
                  "mandatory": str(r.get("mandatory", "")).strip().upper() in ("X", "Y", "YES", "TRUE"),
                  "material_type": r.get("material_type", ""), "material_code": r["material_code"],
                  "quantity": amount(r["material_quantity"])} for r in rows]
        return {"ok": body.get("Message", body.get("message")) == "S", "message_text": body.get("message_text", ""),
                "parts": parts, "warranty_type": "H", "campaign_number": parts[0]["pip_code"] if parts else "",
                "lines": [{"category": "parts", "material_code": p["material_code"], "quantity": p["quantity"],
                           "amount": "", "currency": "", "third_party_invoice": "", "description": ""} for p in parts]}

    pip_rows = [{"defect_code": "10102AK", "pip_code": "P24-017", "levelid": "1", "mandatory": "X",
                 "material_type": "ZPAR", "material_code": "87654321", "material_quantity": 1},
                {"defect_code": "10102AK", "pip_code": "P24-017", "levelid": "2", "mandatory": "",
                 "material_type": "ZPAR", "material_code": "47132800", "material_quantity": "4.000"}]
    for name, body in [("two_levels", {"Message": "S", "message_text": "", "table_results": pip_rows}),
                       ("one_row_as_an_object", {"Message": "S", "table_results": pip_rows[0]}),
                       ("no_parts", {"Message": "E", "message_text": "No data found"})]:
        vec("cnh_pip_answer_" + name, {"op": "cnh_pip_answer", "body": json.dumps(body)}, ok(pip(body)))
    for name, row, path in [("part_without_number", dict(pip_rows[0], material_code=""), "material_code"),
                            ("part_without_quantity", {"material_code": "1"}, "material_quantity"),
                            ("negative_quantity", dict(pip_rows[0], material_quantity="1-"), "material_quantity"),
                            ("mandatory_not_a_flag", dict(pip_rows[0], mandatory="maybe"), "mandatory")]:
        vec("cnh_pip_answer_refuses_" + name,
            {"op": "cnh_pip_answer", "body": json.dumps({"Message": "S", "table_results": [pip_rows[0], row]})},
            err("INVALID_INPUT", f"body.table_results[1].{path}"))

    # --- Claim invoice reports ---------------------------------------------------------------------
    base = "/external/services/warrantyclaim/"
    dealer = {"dealer_number": "111111", "sales_org": "G183", "brand": "CS AG"}
    vec("cnh_invoice_request_summary", {"op": "cnh_invoice_request",
                                        "summary": dict(dealer, **{"from": "2025-01-01", "to": "2025-01-31"})},
        ok({"method": "POST", "path": base + "invoicesummaryreport",
            "body": {"DEALER_NUMBER": "111111", "SALES_ORG": "G183", "BRAND": "CS AG",
                     "INVOICE_FROM_DATE": "2025-01-01", "INVOICE_TO_DATE": "2025-01-31"}}))
    vec("cnh_invoice_request_daily", {"op": "cnh_invoice_request", "daily": {"dealer_number": "111111", "date": "2025-01-09"}},
        ok({"method": "POST", "path": base + "invoicedailyreport",
            "body": {"DEALER_NUMBER": "111111", "INVOICE_DATE": "2025-01-09"}}))
    vec("cnh_invoice_request_detail", {"op": "cnh_invoice_request",
                                       "detail": {"company_code": "G182", "document": "0040630926", "year": 2025}},
        ok({"method": "POST", "path": base + "invoicedetailreport",
            "body": {"COMPANY_CODE": "G182", "ACC_DOC_NBR": "0040630926", "ACC_DOC_YEAR": 2025}}))
    for name, req, path in [
        ("range_backwards", {"summary": {"dealer_number": "1", "from": "2025-02-01", "to": "2025-01-31"}}, "summary.to"),
        ("summary_without_range", {"summary": {"dealer_number": "1", "from": "2025-02-01"}}, "summary.to"),
        ("summary_with_a_day", {"summary": {"dealer_number": "1", "from": "2025-01-01", "to": "2025-01-02",
                                            "date": "2025-01-01"}}, "summary.date"),
        ("daily_with_a_range", {"daily": {"dealer_number": "1", "date": "2025-01-01", "from": "2025-01-01"}}, "daily.from"),
        ("not_a_date", {"daily": {"dealer_number": "1", "date": "2025-02-30"}}, "daily.date"),
        ("compact_date", {"daily": {"dealer_number": "1", "date": "20250109"}}, "daily.date"),
        ("no_dealer", {"daily": {"date": "2025-01-09"}}, "daily.dealer_number"),
        ("detail_year", {"detail": {"company_code": "G182", "document": "1", "year": 25}}, "detail.year"),
        ("two_reports", {"daily": {"dealer_number": "1", "date": "2025-01-09"},
                         "detail": {"company_code": "G182", "document": "1", "year": 2025}}, ""),
        ("unknown_field", {"summary": {"dealer_number": "1", "from": "2025-01-01", "to": "2025-01-02",
                                       "DEALER_NUMBER": "1"}}, "summary.DEALER_NUMBER"),
    ]:
        vec("cnh_invoice_request_refuses_" + name, dict({"op": "cnh_invoice_request"}, **req), err("INVALID_INPUT", path))

    LINE = [("company_code", "zzwtybbukrs", "t"), ("document", "zzwtybelnr", "t"), ("fiscal_year", "zzwtygjahr", "n"),
            ("counter", "pncnt", "n"), ("claim_number", "clmno", "t"), ("dealer_claim_number", "zzclaimdealer", "t"),
            ("claim_type", "clmty", "t"), ("serial", "relobext", "t"), ("posting_date", "budat", "t"),
            ("document_date", "bldat", "t"), ("reference", "xblnr", "t"), ("currency", "waers", "t"),
            ("amount", "wrbtr", "d"), ("parts", "zvalmat", "d"), ("labour", "zvallav", "d"),
            ("sublet", "zvalsubl", "d"), ("vat", "zwtiiva", "d"), ("exchange_rate", "kursf", "d"),
            ("decision", "rejcd", "t"), ("preceding_claim", "oldcn", "t"), ("status", "astate", "t"),
            ("partner", "parnr", "t"), ("partner_name", "partx", "t"), ("invoice_key", "zinvoicekey", "n"),
            ("external_claim_number", "zzextclmno", "t")]

    def line(r):
        out = {}
        for ours, theirs, kind in LINE:
            v = r.get(theirs)
            if v is None or str(v).strip() == "":
                continue
            out[ours] = str(v).strip() if kind == "t" else int(v) if kind == "n" else amount(v)
        return out

    def rows(x):
        return [] if x is None else [x] if isinstance(x, dict) else x

    def report(body):
        for root, inner, kind in [("ZcnWtDmsInvoiceSummaryResponse", "Summary", "summary"),
                                  ("ZcnWtDmsInvoiceDlyReportResponse", "Dailyreport", "daily"),
                                  ("ZcnWtDmsInvoiceDetailResponse", "detail", "detail")]:
            if root in body:
                break
        out = {"report": kind, "invoices": [], "lines": [], "messages": [], "totals": []}
        for part in rows(body[root].get(inner)):
            if kind == "summary":
                for ours, theirs in [("dealer_code", "dealerCode"), ("sales_org", "salesOrg"), ("brand", "brand"),
                                     ("division", "division")]:
                    if str(part.get(theirs, "")).strip() and ours not in out:
                        out[ours] = str(part[theirs]).strip()
                out["lines"] += [line(r) for r in rows(part.get("invoiceList"))]
                for t in rows(part.get("invoiceInfo")):
                    info = {"selected": t.get("invoiceSelected"), "total": amount(t.get("wrbtrTot")),
                            "currency": t.get("waers", "")}
                    out["totals"].append({k: v for k, v in info.items() if v not in (None, "")})
            else:
                out["invoices"] += [line(r) for r in rows(part.get("invoiceHeader"))]
                out["lines"] += [line(r) for r in rows(part.get("invoiceDetail"))]
            for m in rows(part.get("returnMessages")):
                msg = {"type": m.get("Type", ""), "message": m.get("Message", "")}
                if str(m.get("Number", "")):
                    msg["number"] = str(m["Number"])
                out["messages"].append(msg)
        out["error"] = any(m["type"] == "E" for m in out["messages"])
        return out

    header = {"zzwtybbukrs": "G182", "zzwtybelnr": "0040630926", "zzwtygjahr": 2025, "budat": "2025-01-09",
              "wrbtr": 3224.41, "waers": "USD", "xblnr": "C5150972A8", "zzclaimdealer": "57112V4S", "parnr": "110935",
              "partx": "Hoober, Inc.", "zinvoicekey": 2, "znoteprntdt": "2025-01-09", "bldat": "2025-01-09"}
    detail = {"mandt": "602", "zzwtybbukrs": "G183", "zzwtybelnr": "C5150972A8", "zzwtygjahr": 2025,
              "pnguid": "4683D733DF031FD084AA140399A0850F", "pncnt": 1, "kunnr": "0000120119", "clmno": "202500006190",
              "clmty": "ZW03", "parnr": "0000120119", "zzvparnr": "0000112520", "parvw": "AG", "zzclaimdealer": "265182",
              "relobext": "YDG222373", "zzwtyveicolo": "0012031214", "refdt": "2025-03-20", "astate": "Z080",
              "blart": "E3", "bldat": "2025-04-04", "budat": "2025-04-04", "monat": 4, "xblnr": "0031692272",
              "waers": "USD", "partx": "HOOBER, INC.", "spras": "E", "vkorg": "G183", "vtweg": "CS", "spart": "AG",
              "zvalmat": "2,302.76", "zvallav": "330.00", "zvalsubl": "0", "rejcd": "SRET_ADD", "oldcn": "202500099739",
              "zwtaiva": "0", "zwtiiva": "0", "kursf": "1.00000", "wrbtr": "330.00", "statuswebui": "0",
              "statuswebuidsc": "", "zinvoicekey": 1, "zzextclmno": ""}
    msgs = {"Type": "S", "Message": "Successful", "Number": 14}
    answers = [
        ("summary", {"ZcnWtDmsInvoiceSummaryResponse": {"Summary": {
            "dealerCode": 111111, "salesOrg": "G183", "brand": "CS AG", "division": "",
            "invoiceList": [header, dict(header, zzwtybelnr="0040630927", wrbtr="2,985.29", waers="CAD",
                                         zzclaimdealer="57112V4T")],
            "returnMessages": msgs, "invoiceInfo": {"invoiceSelected": 0, "wrbtrTot": 6209.7, "waers": "CAD"}}}}),
        ("daily", {"ZcnWtDmsInvoiceDlyReportResponse": {"Dailyreport": {
            "invoiceHeader": header, "invoiceDetail": [detail, dict(detail, pncnt=2, wrbtr="12.50-", zvalmat="0")],
            "returnMessages": [msgs]}}}),
        ("detail", {"ZcnWtDmsInvoiceDetailResponse": {"detail": {
            "invoiceHeader": [header], "invoiceDetail": detail, "returnMessages": msgs}}}),
        ("error_message", {"ZcnWtDmsInvoiceDetailResponse": {"detail": {
            "returnMessages": {"Type": "E", "Message": "No claims found based on input parameters", "Number": 3}}}}),
    ]
    for name, body in answers:
        vec("cnh_invoice_answer_" + name, {"op": "cnh_invoice_answer", "body": json.dumps(body)}, ok(report(body)))
    R = "ZcnWtDmsInvoiceDlyReportResponse"
    for name, d, path in [("decimal_comma", dict(detail, wrbtr="330,00"), "wrbtr"),
                          ("bad_grouping", dict(detail, zvalmat="23,02.76"), "zvalmat"),
                          ("year_not_a_number", dict(detail, zzwtygjahr="FY25"), "zzwtygjahr")]:
        vec("cnh_invoice_answer_refuses_" + name,
            {"op": "cnh_invoice_answer", "body": json.dumps({R: {"Dailyreport": {"invoiceDetail": [detail, d]}}})},
            err("INVALID_INPUT", f"body.{R}.Dailyreport.invoiceDetail[1].{path}"))
    vec("cnh_invoice_answer_refuses_another_answer", {"op": "cnh_invoice_answer", "body": json.dumps({"message": "S"})},
        err("INVALID_INPUT", "body"))
    vec("cnh_invoice_answer_refuses_a_row_that_is_not_an_object",
        {"op": "cnh_invoice_answer", "body": json.dumps({R: {"Dailyreport": {"invoiceDetail": ["x"]}}})},
        err("INVALID_INPUT", f"body.{R}.Dailyreport.invoiceDetail[0]"))

    # --- Reconciliation: the model -----------------------------------------------------------------
    def reconcile(claims, lines):
        by_partner = {c["partner_claim_number"]: i for i, c in enumerate(claims) if c.get("partner_claim_number")}
        by_id = {c["id"]: i for i, c in enumerate(claims)}
        cur = [c.get("currency") for c in claims]
        paid = [None] * len(claims)
        used = [[] for _ in claims]
        unmatched, seen, totals = [], set(), {}
        for i, l in enumerate(lines):
            cn, dn = l.get("claim_number", ""), l.get("dealer_claim_number", "")
            owner = by_partner.get(cn) if cn in by_partner else by_id.get(dn)
            if not cn and not dn:
                owner = None
            a = Decimal(l["amount"])
            key = (l.get("company_code", ""), l.get("document", ""), l.get("fiscal_year"), l.get("counter"), cn, dn)
            miss = lambda why, c=None: dict({"line": i, "reason": why, "currency": l["currency"], "amount": str(a)},
                                            **({"claim": claims[c]["id"]} if c is not None else {}))
            if key in seen:
                unmatched.append(miss("duplicate", owner))
                continue
            seen.add(key)
            t = totals.setdefault(l["currency"], [Decimal(0), Decimal(0)])
            if owner is None:
                t[1] += a
                unmatched.append(miss("no_claim"))
                continue
            if cur[owner] is None:
                cur[owner] = l["currency"]
            if cur[owner] != l["currency"]:
                t[1] += a
                unmatched.append(miss("currency", owner))
                continue
            t[0] += a
            paid[owner] = (paid[owner] or Decimal(0)) + a
            used[owner].append(i)
        out_claims, matched, not_invoiced = [], [], []
        for k, c in enumerate(claims):
            c = dict(c)
            if paid[k] is None:
                not_invoiced.append(c["id"])
                out_claims.append(c)
                continue
            p = paid[k]
            cl = Decimal(c["claimed"]) if c.get("claimed") else None
            outcome = "unclaimed" if cl is None else "exact" if p == cl else "over" if p > cl else "under"
            if p >= 0:
                c["reimbursed"] = str(abs(p))
            c.setdefault("currency", cur[k])
            m = {"claim": c["id"], "lines": used[k], "currency": cur[k], "paid": str(p), "outcome": outcome}
            if cl is not None:
                m["claimed"] = c["claimed"]
                m["difference"] = str(p - cl)
            matched.append(m)
            out_claims.append(c)
        return {"claims": out_claims, "matched": matched, "unmatched": unmatched, "not_invoiced": not_invoiced,
                "totals": [{"currency": k, "matched": str(v[0]), "unmatched": str(v[1])} for k, v in sorted(totals.items())]}

    daily_lines = report(answers[1][1])["lines"]
    claims = [{"id": "265182", "partner_claim_number": "202500006190", "status": "approved", "currency": "USD",
               "claimed": "330.00"},
              {"id": "57112V4S", "status": "approved", "currency": "USD", "claimed": "3300.00"},
              {"id": "57112V4T", "status": "approved", "claimed": "2985.29"},
              {"id": "DMS-9", "status": "submitted", "currency": "USD", "claimed": "10"}]
    summary_lines = report(answers[0][1])["lines"]
    cases = [
        ("daily_lines_net_a_credit", claims[:1], daily_lines),
        ("summary_invoices_under_and_exact", claims, summary_lines),
        ("by_dealer_number_when_cnh_number_unknown", [dict(claims[0], partner_claim_number="999")], daily_lines[:1]),
        ("the_same_line_from_two_reports", claims[:1], daily_lines[:1] + daily_lines[:1]),
        ("another_currency", claims[:1], [dict(daily_lines[0], currency="CAD", counter=9)]),
        ("over_payment", claims[:1], [dict(daily_lines[0], amount="400.00")]),
        ("negative_net_is_not_a_reimbursement", claims[:1], [dict(daily_lines[0], amount="-5.00")]),
        ("unclaimed_amount", [{"id": "265182", "status": "closed"}], daily_lines[:1]),
        ("a_line_for_nobody", claims[1:2], [{"document": "X", "amount": "1.00", "currency": "USD"}]),
        ("nothing_to_match", claims, []),
    ]
    for name, cs, ls in cases:
        vec("cnh_invoice_reconcile_" + name, {"op": "cnh_invoice_reconcile", "claims": cs, "lines": ls},
            ok(reconcile(cs, ls)))
    for name, cs, ls, path in [
        ("two_claims_one_id", [claims[0], dict(claims[1], id="265182")], [], "claims[1].id"),
        ("two_claims_one_cnh_number", [claims[0], dict(claims[1], partner_claim_number="202500006190")], [],
         "claims[1].partner_claim_number"),
        ("line_without_amount", claims[:1], [{"dealer_claim_number": "265182", "currency": "USD"}], "lines[0].amount"),
        ("line_without_currency", claims[:1], [{"dealer_claim_number": "265182", "amount": "1"}], "lines[0].currency"),
        ("line_amount_not_exact", claims[:1], [{"dealer_claim_number": "265182", "amount": "1e3", "currency": "USD"}],
         "lines[0].amount"),
        ("line_unknown_field", claims[:1], [dict(daily_lines[0], wrbtr="1")], "lines[0].wrbtr"),
        ("claimed_negative", [dict(claims[0], claimed="-1")], [], "claims[0].claimed"),
    ]:
        vec("cnh_invoice_reconcile_refuses_" + name, {"op": "cnh_invoice_reconcile", "claims": cs, "lines": ls},
            err("INVALID_INPUT", path))
