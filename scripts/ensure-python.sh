#!/usr/bin/env bash
# The Python suite's tools in a virtual environment of the project's own (target/python-venv),
# pinned, installed from PyPI when missing: maturin (builds the wheel), pytest, Hypothesis, mypy, pyarrow, numpy
# and dateutil (the fleet example and the ERP report bench), and
# the engines of the fleet example (pandas, Dask, PySpark; Spark's Java comes from
# scripts/ensure-tools.sh).
# Prints the venv's path. Repeat runs install nothing.
set -euo pipefail
venv=${PYTHON_VENV:-target/python-venv}
want="maturin==1.7.4 pytest==8.3.3 mypy==1.13.0 pyarrow==26.0.1 pandas==2.2.3 dask==2024.12.1
  dask-expr==1.1.21 distributed==2024.12.1 pyspark==3.5.3 hypothesis==6.170.27 numpy==2.4.6
  python-dateutil==4.0.0"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
have=$("$venv/bin/python" -m pip freeze 2>/dev/null | tr '\n' ' ')
missing=""
for p in $want; do
  case " $have " in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
if [ -n "$missing" ]; then
  echo "ensure-python: installing$missing" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir $missing >&2
fi
echo "$venv"
