#!/usr/bin/env python3
"""Calling libwarranty from Python with ctypes (docs/c-api.md); `make test` runs it.

usage: warranty_ctypes.py [PATH/TO/libwarranty.so]

The pattern for any host language: declare the six functions, keep the engine handle, turn
the returned char* into a string, then hand it back with wty_string_free (never libc free).
"""
import ctypes
import json
import sys

WTY_OK, WTY_INVALID, WTY_NULL_ARGUMENT, WTY_PANIC = 0, 1, 2, 3


class Warranty:
    """One engine over libwarranty; not shared between threads (one engine per thread)."""

    def __init__(self, path="libwarranty.so"):
        lib = ctypes.CDLL(path)
        lib.wty_version.restype = ctypes.c_char_p
        lib.wty_engine_new.restype = ctypes.c_void_p
        lib.wty_engine_free.argtypes = [ctypes.c_void_p]
        for name in ("wty_call", "wty_call_batch"):
            fn = getattr(lib, name)
            fn.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
            fn.restype = ctypes.c_int
        # Responses come back as void* so that ctypes does not copy-and-forget them: we must
        # hand the very pointer back to wty_string_free.
        lib.wty_string_free.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.engine = lib.wty_engine_new()
        if not self.engine:
            raise MemoryError("wty_engine_new")

    def version(self):
        return self.lib.wty_version().decode()

    def _run(self, fn, text):
        out = ctypes.c_void_p()
        status = fn(self.engine, text.encode("utf-8"), ctypes.byref(out))
        if status == WTY_NULL_ARGUMENT:
            raise ValueError("NULL argument")
        try:
            return status, ctypes.string_at(out.value).decode("utf-8")
        finally:
            self.lib.wty_string_free(out)

    def call(self, request):
        """Sends a request (dict) and returns the response (dict), ok or not."""
        _, response = self._run(self.lib.wty_call, json.dumps(request))
        return json.loads(response)

    def call_raw(self, text):
        return self._run(self.lib.wty_call, text)

    def batch(self, requests):
        _, out = self._run(self.lib.wty_call_batch, "\n".join(json.dumps(r) for r in requests))
        return [json.loads(line) for line in out.splitlines()]

    def close(self):
        if self.engine:
            self.lib.wty_engine_free(self.engine)
            self.engine = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "libwarranty.so"
    passed = failed = 0

    def check(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {what}")

    with Warranty(path) as w:
        print(f"libwarranty {w.version()}")
        check(w.version() == w.call({"op": "version"})["result"]["version"], "version")
        loaded = w.call({"op": "load_catalog", "name": "store", "policies": [
            {"id": "TV-2Y", "duration": {"value": 2, "unit": "years"},
             "covers": [{"product_type": "Televisions"}]}]})
        check(loaded == {"ok": True, "result": {"name": "store", "policies": 1}}, f"load {loaded}")
        r = w.call({"op": "resolve", "catalog": "store", "item": {"product_type": "Televisions"},
                    "sold_at": "2025-11-28T11:30:00+02:00", "zone": "Europe/Nicosia"})
        print(f"resolve: {r['result']['outcome']} by {r['result']['policy']} until {r['result']['end']}")
        check(r["result"]["policy"] == "TV-2Y" and r["result"]["end"] == "2027-11-28T11:30:00+02:00",
              f"resolve {r}")
        bad = w.call({"op": "resolve", "catalog": "nowhere", "item": {}, "sold_at": "2025-11-28T11:30:00Z"})
        check(not bad["ok"] and bad["error"]["path"] == "catalog", f"error {bad}")
        status, text = w.call_raw("{not json")
        check(status == WTY_INVALID and '"INVALID_JSON"' in text, f"invalid json {status} {text}")
        answers = w.batch([{"op": "version"}, {"op": "list_catalogs"}])
        check([a["ok"] for a in answers] == [True, True], f"batch {answers}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
