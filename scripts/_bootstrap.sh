# Sourced by the other scripts: a pinned uv in .tools/, then the locked environment in .venv/.
# Needs only Python 3.11+ and access to PyPI.
set -eu
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never  # use this machine's Python, never download one
if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9
fi
UV=.tools/bin/uv
