#!/usr/bin/env bash
# Make sure what the test suite talks to is there: PostgreSQL on 127.0.0.1:5432 (database "test")
# and Debian's Chromium for the widget and dashboard tests. Starts or installs them only when
# missing and when this machine allows it (root with apt); otherwise says what is missing and
# the tests that need it are skipped locally (CI=true makes them fail instead).
set -u

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -lqt 2>/dev/null | cut -d'|' -f1 | grep -qw test \
    || createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432: its tests will be skipped (they fail under CI=true)."
fi

# Japanese text in screenshots and in the browser tests' layout needs a CJK font (Noto CJK)
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's fonts-noto-cjk for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
      || echo "could not install fonts-noto-cjk: Japanese text in screenshots may show as boxes"
  else
    echo "fonts-noto-cjk is not installed: Japanese text in screenshots may show as boxes (apt-get install fonts-noto-cjk)."
  fi
fi

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "could not install chromium: browser tests will be skipped"
  else
    echo "chromium is not installed: browser tests will be skipped (apt-get install chromium)."
  fi
fi
exit 0
