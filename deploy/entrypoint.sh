#!/bin/sh
# haven <service>|gateway        — run one service process (any folder services/<service>/)
# haven migrate [service...]     — apply migrations (a job: run once per release)
set -eu
role="${1:-gateway}"
case "$role" in
  migrate)
    shift
    exec python -m services.common.migrations "$@" ;;
  gateway)
    export HAVEN_ROLE=gateway
    exec python -m services.common.run gateway ;;
  *)
    if [ -f "services/$role/service.py" ] && [ "$role" != common ]; then
      export HAVEN_ROLE="$role"
      exec python -m services.common.run "$role"
    fi
    exec "$@" ;;
esac
