"""Shared fixtures, and the slow tier. Tests that need ../shared skip cleanly where it is absent.

``python -m pytest -q -m "not slow"`` is the fast tier for the edit-test loop; CI runs
everything. A test is slow when it takes more than a few seconds here (measured with
``--durations``): those named in SLOW.
"""

from __future__ import annotations

import pytest

SLOW = {
    "test_hundred_megabyte_file_streams_in_bounded_memory",
    "test_one_megabyte_line_without_punctuation",
    "test_any_unicode_text_round_trips_through_the_text_format",
    "test_any_text_gives_a_consistent_report",
    "test_wheel_installs_and_runs_offline",
    "test_jobs_and_groups_keep_input_order_and_results",
    "test_colour_and_show_flagged",
    "test_notebook_runs_top_to_bottom",
    "test_every_format_flags_the_spun_seed_and_suggests_press_conference",
    "test_disk_full_is_one_line_exit_2_even_with_exit_zero",
    "test_sigterm_leaves_the_previous_output_and_no_partial_file",
    "test_sigterm_with_jobs_stops_the_workers_at_once_not_after_the_queued_work",
    "test_a_model_saved_over_another_that_fails_leaves_the_earlier_one_loadable",
    "test_a_reader_that_leaves_early_ends_the_check_with_exit_0",
    "test_with_jobs_a_reader_that_leaves_stops_the_check_before_a_long_input_is_done",
    "test_an_output_linked_to_standard_output_is_written_there_and_the_link_stays",
    "test_sigterm_during_evaluate_leaves_the_previous_figures_and_no_partial_file",
    "test_workers_end_when_the_main_process_is_killed_outright",
    "test_a_worker_killed_is_one_line_exit_2_and_no_output",
    "test_jobs_work_when_spundetect_is_process_1",
    "test_closed_stdin_is_one_line_exit_2",
    "test_html_report_renders_spans_and_hover_text",
    "test_dask_local_cluster_matches_single_process",
    "test_an_unexpected_error_is_one_line_exit_2_and_debug_shows_the_traceback",
    "test_pickle_model_folder_is_refused_without_trust_and_runs_nothing",
    "test_verdicts_agree_with_the_marks_on_the_examples_and_seeds",
    "test_span_context_stage_round_trips",
    "test_stdin_directories_globs_and_output_file",
    "test_check_many_gives_the_reports_of_check_one_by_one",
    "test_span_threshold_shows_weaker_suspicions_and_keeps_the_verdicts",
    "test_averaged_model_round_trips_and_checks",
    "test_real_spun_documents_are_traced_to_their_sources",
    "test_trace_html_side_by_side_and_linked_in_a_browser",
    "test_check_contextual_with_the_real_encoder",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.originalname in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def shared():
    from spundetect.build.sources import shared_dir

    try:
        return shared_dir()
    except FileNotFoundError:
        pytest.skip("../shared is not available")
