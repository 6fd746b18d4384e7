#!/bin/sh
# haven <identity|charts|notify|scheduling|gateway>  — run one service process
# haven migrate [service...]              — apply migrations (a job: run once per release)
set -eu
role="${1:-gateway}"
case "$role" in
  migrate)
    shift
    exec python -m services.common.migrations "$@" ;;
  identity|charts|notify|scheduling|gateway)
    export HAVEN_ROLE="$role"
    exec python -m services.common.run "$role" ;;
  *)
    exec "$@" ;;
esac
