# Opora developer tasks.

export OPORA_JWT_SECRET ?= opora-development-secret-change-me
export OPORA_DATABASE_URL ?= sqlite://./data/opora.db

.PHONY: run test fmt-check lint test-sqlite test-postgres test-failover openapi bench bench-http fmt
# Targets run one after another even under `make -j` (test relies on the order).
.NOTPARALLEL:

# Run the API server locally with demo data (SQLite in ./data by default).
run:
	mkdir -p data
	OPORA_MAX_TOKEN_MINUTES=$${OPORA_MAX_TOKEN_MINUTES:-720} cargo run -p opora-api --bin opora -- serve --demo

# Everything CI checks, in order.
test: fmt-check lint test-sqlite test-postgres test-failover

# Fail if any file is not rustfmt-formatted.
fmt-check:
	cargo fmt --all -- --check

# Clippy on all targets, warnings are errors.
lint:
	cargo clippy --workspace --all-targets -- -D warnings

# Tests against SQLite only (no PostgreSQL URL in the environment).
test-sqlite:
	env -u OPORA_TEST_DATABASE_URL cargo test --workspace

# Tests against a throwaway PostgreSQL cluster (or $$OPORA_TEST_POSTGRES_URL).
test-postgres:
	scripts/with-postgres cargo test --workspace

# A primary and a synchronous hot standby; the primary killed and the standby promoted under
# write load: the API answers again without a restart and no acknowledged write is lost.
test-failover:
	cargo build -p opora-api --bin opora
	timeout 300 scripts/failover-test target/debug/opora

# Regenerate the OpenAPI document.
openapi:
	mkdir -p openapi
	cargo run -q -p opora-api --bin opora -- openapi > openapi/openapi.json

# Store benchmarks on SQLite, and on a throwaway PostgreSQL (numbers go into BENCHMARKS.md).
bench:
	scripts/with-postgres sh -c 'OPORA_BENCH_POSTGRES_URL=$$OPORA_TEST_DATABASE_URL cargo bench -p opora-persistence'

# The server under load against the machine's own ceilings (BENCHMARKS.md): release build,
# SQLite, then PostgreSQL with fsync on in a throwaway cluster; the load comes from wrk (apt-get
# install wrk). Options: make bench-http ARGS="--cases 1000", ARGS="--scale 1000000" (then grown to
# a million clients and cases in SQL and measured again).
bench-http:
	@command -v wrk >/dev/null || { echo "bench-http needs wrk: apt-get install wrk"; exit 1; }
	cargo build --release -p opora-api -p opora-tests --bin opora --bin bench-http
	OPORA_TEST_PG_FSYNC=on scripts/with-postgres sh -c 'OPORA_BENCH_POSTGRES_URL=$$OPORA_TEST_DATABASE_URL target/release/bench-http $(ARGS)'

# Format all code in place.
fmt:
	cargo fmt --all
