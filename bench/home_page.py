"""home_page: server-side time of the home page with the demo content (PostgreSQL), 200 requests after warm-up."""

from bench.common import emit, log, start_services, summary, time_calls, use_database


def main():
    start_services()
    use_database("agora_bench")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("load_demo", stdout=open("/dev/null", "w"))
    client = Client()

    def get():
        response = client.get("/")
        assert response.status_code == 200, response.status_code

    durations = time_calls(get, 200, warmup=20)
    with CaptureQueriesContext(connection) as queries:
        get()
    log(f"home_page: {len(queries)} queries")
    emit(bench="home_page", **summary(durations), queries=len(queries))


if __name__ == "__main__":
    main()
