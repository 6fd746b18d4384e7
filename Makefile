# Haven — `make run` starts everything with a demo practice; `make test` runs the suite.
# Both install what is missing first (scripts/bootstrap.sh).
.PHONY: run test bench migrate clean bootstrap otp

PYTHON_VENV := .venv/bin/python
PYTEST_ARGS ?= -q

run:
	@scripts/bootstrap.sh run
	@$(PYTHON_VENV) scripts/run.py

# A private RabbitMQ node / PostgreSQL cluster is started for the run when none listens
# (scripts/testenv.py sets AMQP_URI, HAVEN_RABBITMQCTL and HAVEN_TEST_PG_URL for it).
test:
	@scripts/bootstrap.sh test
	@$(PYTHON_VENV) -m scripts.testenv -- .venv/bin/pytest $(PYTEST_ARGS)

bench:
	@scripts/bootstrap.sh bench
	@$(PYTHON_VENV) -m scripts.testenv -- $(PYTHON_VENV) -m bench.run

# Applies every service's migrations to the databases the environment names
# (<SERVICE>_DATABASE_URL, default SQLite files under var/).
migrate:
	@scripts/bootstrap.sh run
	@$(PYTHON_VENV) -m services.common.migrations identity charts notify scheduling messaging billing

# The demo staff's current two-factor code (development only).
otp:
	@$(PYTHON_VENV) -m scripts.otp

bootstrap:
	@scripts/bootstrap.sh test

# Removes local state: databases, logs, mail, private broker data. Keeps .venv.
clean:
	rm -rf var bench/out .pytest_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
