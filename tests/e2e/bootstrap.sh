#!/usr/bin/env bash
# Tools the browser tests need, installed only when missing (fast and silent when everything is present):
#   - Debian's Chromium at /usr/bin/chromium (apt-get, when we are root; otherwise the command to run is printed)
#   - axe-core, pinned in tests/e2e/package-lock.json, into tests/e2e/node_modules (npm ci)
# With CI=true a tool that is still missing afterwards is an error (exit 1): CI never skips browser tests.
set -euo pipefail
CI="${CI:-}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chromium=/usr/bin/chromium
axe="$here/node_modules/axe-core/axe.min.js"
missing=()

# WeasyPrint (receipts, results) needs Pango and a font with Vietnamese diacritics.
if ! ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || [[ ! -d /usr/share/fonts/truetype/dejavu ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing Pango and DejaVu fonts with apt-get (PDF rendering)"
        export DEBIAN_FRONTEND=noninteractive
        pdf_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
        apt-get install -y --no-install-recommends "${pdf_packages[@]}" \
            || { apt-get update && apt-get install -y --no-install-recommends "${pdf_packages[@]}"; }
    else
        echo "bootstrap: PDF rendering needs: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
    fi
fi

if [[ ! -x "$chromium" ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "e2e bootstrap: installing Debian's chromium with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        # Vietnamese text needs a font with its diacritics: DejaVu has them.
        packages=(chromium fonts-dejavu-core)
        apt-get install -y --no-install-recommends "${packages[@]}" \
            || { apt-get update && apt-get install -y --no-install-recommends "${packages[@]}"; }
    else
        echo "e2e bootstrap: $chromium is missing; install it with: sudo apt-get install -y chromium fonts-dejavu-core"
    fi
    [[ -x "$chromium" ]] || missing+=("chromium")
fi

# npm writes node_modules/.package-lock.json on every install: older than the lock file means stale.
if [[ ! -f "$axe" || "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
    if command -v npm >/dev/null; then
        echo "e2e bootstrap: installing axe-core with npm ci"
        npm ci --prefix "$here" --no-audit --no-fund --loglevel=error
    else
        echo "e2e bootstrap: npm is missing; install Node.js and npm, then run: npm ci --prefix tests/e2e"
    fi
    [[ -f "$axe" ]] || missing+=("axe-core")
fi

if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ "${CI,,}" == "true" ]]; then
        echo "e2e bootstrap: FAIL: missing ${missing[*]} (CI=true: browser tests must run)" >&2
        exit 1
    fi
    echo "e2e bootstrap: missing ${missing[*]}; browser tests will be skipped"
fi
