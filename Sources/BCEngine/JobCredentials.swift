import BCAPI
import Foundation
import Hummingbird

/// Access keys scoped to one job's life, as a cloud batch service hands its nodes a role
/// rather than the account's key: the workflow runner (the public `cromwell` App) submits its
/// calls and reads and writes OSS with one. The secret is derived from the engine's own
/// (HMAC-SHA256 of the job id), so nothing is stored and a restarted engine accepts the same
/// key; it is refused as soon as the job has ended or is deleted, except while a stopped job's
/// instances spend their grace period (`EndingJobs`).
enum JobCredentials {
    static let prefix = "job."

    static func issue(for jobId: String, master: Credentials) -> Credentials {
        let mac = HMACDigest.sha256.mac(key: Array(master.accessKeySecret.utf8), message: Array(("bcops-job-credential:" + jobId).utf8))
        return Credentials(accessKeyId: prefix + jobId, accessKeySecret: mac.map { String(format: "%02x", $0) }.joined())
    }

    /// The secret that signs requests of `keyId`: the engine's own key, or a job key whose job
    /// still waits or runs; nil for anything else.
    static func secret(for keyId: String, engine: Engine) -> String? {
        if keyId == engine.credentials.accessKeyId { return engine.credentials.accessKeySecret }
        guard keyId.hasPrefix(prefix) else { return nil }
        let jobId = String(keyId.dropFirst(prefix.count))
        // A store that cannot be read now refuses the key: authentication fails closed.
        guard let job = try? engine.store.job(jobId),
              RunState(rawValue: job.state)?.isActive == true || engine.endingJobs.contains(jobId) else { return nil }
        return issue(for: jobId, master: engine.credentials).accessKeySecret
    }

    /// What a job key may do: read anything, and manage jobs (its calls). Clusters, Apps,
    /// images and the `/bcops` extensions change only with the engine's own key.
    static func permits(method: String, path: String) -> Bool {
        method == "GET" || method == "HEAD" || path == "/jobs" || path.hasPrefix("/jobs/")
    }

    /// The job whose key signed an (authenticated) request, if a job's key did: the parent of
    /// the jobs it creates.
    static func job(signing request: Request) -> String? {
        guard let authorization = request.headers[.authorization], let (keyId, _) = ACSSignature.parseAuthorization(authorization),
              keyId.hasPrefix(prefix) else { return nil }
        return String(keyId.dropFirst(prefix.count))
    }
}
