import BCAPI
@testable import BCController
import Foundation
import Testing

@Suite struct WebhookVerifierTests {
    let verifier = WebhookVerifier(secret: Array("It's a Secret to Everybody".utf8), branch: "main")
    let push = Array(#"{"ref":"refs/heads/main","after":"abc"}"#.utf8)

    func signature(_ body: [UInt8], key: String = "It's a Secret to Everybody") -> String {
        "sha256=" + HMACDigest.sha256.mac(key: Array(key.utf8), message: body).map { String(format: "%02x", $0) }.joined()
    }

    /// GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    @Test func githubsDocumentedSignatureVerifies() {
        let body = Array("Hello, World!".utf8)
        #expect(signature(body) == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }

    @Test func aSignedPushToTheTrackedBranchIsAccepted() {
        let verdict = verifier.verify(.github, headers: ["x-hub-signature-256": signature(push), "x-github-event": "push", "x-github-delivery": "d-1"], body: push)
        #expect(verdict == .accepted(delivery: "d-1"))
    }

    @Test func forgedUnsignedAndSHA1RequestsAreRefused() {
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": signature(push, key: "guess"), "x-github-event": "push"], body: push)
                == .rejected(status: 401, reason: "X-Hub-Signature-256 does not match the body"))
        #expect(verifier.verify(.github, headers: ["x-github-event": "push"], body: push) == .rejected(status: 401, reason: "missing X-Hub-Signature-256"))
        // No fallback to the SHA-1 header.
        #expect(verifier.verify(.github, headers: ["x-hub-signature": "sha1=00", "x-github-event": "push"], body: push)
                == .rejected(status: 401, reason: "missing X-Hub-Signature-256"))
        // The body is signed, not the parsed payload: a changed byte fails.
        var tampered = push
        tampered[tampered.count - 2] = UInt8(ascii: "x")
        if case .rejected(401, _) = verifier.verify(.github, headers: ["x-hub-signature-256": signature(push), "x-github-event": "push"], body: tampered) {} else {
            Issue.record("a tampered body must be refused")
        }
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": "sha256=zz", "x-github-event": "push"], body: push)
                == .rejected(status: 401, reason: "X-Hub-Signature-256 does not match the body"))
    }

    @Test func oversizedBodiesAre413AndNoSecretMeansNothingIsAccepted() {
        let big = [UInt8](repeating: 32, count: WebhookVerifier.maxBodyBytes + 1)
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": signature(big)], body: big) == .rejected(status: 413, reason: "body larger than 1 MiB"))
        let open = WebhookVerifier(secret: [], branch: "main")
        if case .rejected(401, _) = open.verify(.generic, headers: ["authorization": "Bearer "], body: []) {} else {
            Issue.record("without a configured secret every webhook is refused")
        }
    }

    @Test func otherBranchesPingsAndOtherEventsAreIgnored() {
        let other = Array(#"{"ref":"refs/heads/feature"}"#.utf8)
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": signature(other), "x-github-event": "push"], body: other)
                == .ignored("push to refs/heads/feature, not refs/heads/main"))
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": signature(push), "x-github-event": "ping"], body: push) == .ignored("ping"))
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": signature(push), "x-github-event": "issues"], body: push)
                == .ignored("event issues is not a push"))
    }

    @Test func gitlabTokenAndGenericBearer() {
        let secret = "It's a Secret to Everybody"
        #expect(verifier.verify(.gitlab, headers: ["x-gitlab-token": secret, "x-gitlab-event": "Push Hook"], body: push) == .accepted(delivery: nil))
        #expect(verifier.verify(.gitlab, headers: ["x-gitlab-token": "wrong", "x-gitlab-event": "Push Hook"], body: push)
                == .rejected(status: 401, reason: "X-Gitlab-Token does not match"))
        #expect(verifier.verify(.generic, headers: ["authorization": "Bearer \(secret)"], body: []) == .accepted(delivery: nil))
        #expect(verifier.verify(.generic, headers: ["authorization": "Bearer nope"], body: []) == .rejected(status: 401, reason: "bearer token does not match"))
    }

    @Test func aDeliveryIsAcceptedOnce() {
        var log = DeliveryLog(capacity: 2)
        let answers = ["a", "a", "b", "c", "a"].map { log.firstTime($0) }
        // The second "a" is a redelivery; once two newer IDs were seen, "a" is forgotten.
        #expect(answers == [true, false, true, true, true])
    }
}

@Suite struct ControllerModelTests {
    @Test func backoffDoublesFrom750msToFifteenMinutesAndResets() {
        var b = Backoff()
        #expect(b.delay == 0)
        let delays = (0..<14).map { _ in b.failed() }
        #expect(delays.prefix(5) == [0.75, 1.5, 3, 6, 12])
        #expect(delays.last == 900)
        #expect(delays.allSatisfy { $0 <= 900 })
        b.succeeded()
        #expect(b.failed() == 0.75)
    }

    @Test func conditionsFollowKstatus() {
        var c = ConditionSet()
        let t0 = Date(timeIntervalSince1970: 0), t1 = Date(timeIntervalSince1970: 10)
        c.progressing("reconciling abc", retrying: false, at: t0)
        #expect(c[.Reconciling]?.status == true && c[.Ready]?.status == false)
        c.ready("Applied revision abc", at: t1)
        #expect(c[.Ready]?.status == true && c[.Reconciling] == nil && c[.Stalled] == nil)
        #expect(c[.Ready]?.lastTransitionTime == t1)
        c.ready("Applied revision def", at: Date(timeIntervalSince1970: 20))
        #expect(c[.Ready]?.lastTransitionTime == t1, "a new message is not a transition")
        c.stalled(Reason.validationFailed, "bad", at: t1)
        #expect(c[.Stalled]?.reason == "ValidationFailed" && c[.Ready]?.status == false && c[.Reconciling] == nil)
        c.failed(Reason.applyFailed, "boom", at: t1)
        #expect(c[.Reconciling]?.reason == "ProgressingWithRetry" && c[.Ready]?.reason == "ApplyFailed" && c[.Stalled] == nil)
    }

    @Test func historyKeepsTheLastTwentyNewestFirst() {
        var h = History()
        for i in 0..<25 {
            h.record(Reconciliation(revision: "r\(i)", started: Date(), duration: 0, actions: "", result: .noChanges, trigger: "interval"))
        }
        #expect(h.entries.count == 20)
        #expect(h.entries.first?.revision == "r24")
        #expect(h.entries.last?.revision == "r5")
    }

    @Test func metricsAreValidExposition() {
        var m = Metrics()
        m.observeReconcile(workspace: "a\"b", result: "succeeded", seconds: 0.3)
        m.observeFetch(seconds: 0.01)
        m.resources = ["App": (ready: 2, notReady: 1)]
        let text = m.text()
        #expect(text.contains("bcops_reconcile_duration_seconds_bucket{workspace=\"a\\\"b\",result=\"succeeded\",le=\"0.25\"} 0"))
        #expect(text.contains("bcops_reconcile_duration_seconds_bucket{workspace=\"a\\\"b\",result=\"succeeded\",le=\"0.5\"} 1"))
        #expect(text.contains("bcops_reconcile_duration_seconds_count{workspace=\"a\\\"b\",result=\"succeeded\"} 1"))
        #expect(text.contains("bcops_sync_total{result=\"succeeded\"} 1"))
        #expect(text.contains("bcops_resources{kind=\"App\",ready=\"false\"} 1"))
        #expect(text.contains("bcops_git_fetch_duration_seconds_bucket{le=\"+Inf\"} 1"))
    }

    @Test func repositoryCredentialsNeverShowInStatus() {
        #expect(ControllerStatus.redacted("https://bot:ghp_token@github.com/org/estate.git") == "https://github.com/org/estate.git")
        #expect(ControllerStatus.redacted("ssh://git@example.com/estate.git") == "ssh://example.com/estate.git")
        #expect(ControllerStatus.redacted("/srv/estate.git") == "/srv/estate.git")
    }
}
