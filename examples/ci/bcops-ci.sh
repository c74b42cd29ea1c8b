#!/usr/bin/env bash
# The steps a CI pipeline runs for a bcops repository, shared by the GitHub Actions and GitLab
# CI files beside it (so both behave the same, and the logic is tested once):
#
#   bcops-ci.sh check  DIR            bcctl fmt -check and bcplan validate
#   bcops-ci.sh plan   DIR OUT        bcplan -out OUT/plan -detailed-exitcode; writes OUT/exitcode,
#                                     OUT/plan.txt and OUT/comment.md (bcctl show -markdown, with a
#                                     marker line so one PR comment is updated, not added to);
#                                     exits 0 when the plan has no changes or changes (0 or 2),
#                                     1 on an error; appends the comment to $GITHUB_STEP_SUMMARY and
#                                     sets changes=true|false in $GITHUB_OUTPUT when they are set
#   bcops-ci.sh approve OUT [REV]     bcctl plan-approve OUT/plan for REV (default: the CI's commit);
#                                     BCOPS_PRUNE=true when the controller runs with --prune
#
# bcplan, bcctl and the engine's credentials (BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID,
# BCOPS_ACCESS_KEY_SECRET) come from the environment; BCOPS_WORKSPACE picks the workspace, else
# DIR/.bcops/settings.yaml does (docs/workspaces.md).
set -uo pipefail
marker="<!-- bcops-plan -->"
cmd="${1:-}"
case "$cmd" in
  check)
    dir="${2:?usage: bcops-ci.sh check DIR}"
    bcctl fmt -check "$dir" || { echo "::error::manifests are not formatted: run bcctl fmt $dir" >&2; exit 1; }
    bcplan validate "$dir"
    ;;
  plan)
    dir="${2:?usage: bcops-ci.sh plan DIR OUT}"; out="${3:?usage: bcops-ci.sh plan DIR OUT}"
    mkdir -p "$out"
    bcplan "$dir" -out "$out/plan" -detailed-exitcode -no-color -input=false -lock-timeout 2m > "$out/plan.txt" 2> "$out/plan.err"
    code=$?
    echo "$code" > "$out/exitcode"
    cat "$out/plan.txt"
    cat "$out/plan.err" >&2
    if [ "$code" -eq 1 ]; then
      { echo "$marker"; echo "### bcops plan failed"; echo; echo '```'; tail -c 60000 "$out/plan.err"; echo '```'; } > "$out/comment.md"
      [ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$out/comment.md" >> "$GITHUB_STEP_SUMMARY"
      exit 1
    fi
    # One comment per pull request: the marker lets the poster find and update it. The
    # renderer keeps the comment within GitHub's 65,536 characters, marker included.
    { echo "$marker"; bcctl show -markdown "$out/plan"; } > "$out/comment.md"
    [ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$out/comment.md" >> "$GITHUB_STEP_SUMMARY"
    [ -n "${GITHUB_OUTPUT:-}" ] && echo "changes=$([ "$code" -eq 2 ] && echo true || echo false)" >> "$GITHUB_OUTPUT"
    exit 0
    ;;
  approve)
    out="${2:?usage: bcops-ci.sh approve OUT [REVISION]}"
    revision="${3:-${GITHUB_SHA:-${CI_COMMIT_SHA:-}}}"
    prune=""; [ "${BCOPS_PRUNE:-false}" = "true" ] && prune="-prune"
    bcctl plan-approve "$out/plan" ${revision:+-revision "$revision"} $prune
    ;;
  *)
    echo "usage: bcops-ci.sh check DIR | plan DIR OUT | approve OUT [REVISION]" >&2
    exit 64
    ;;
esac
