import BCClient
import BCModel

/// Runs of an App (a Job with `app:`) whose App is not declared in the same manifests: the
/// App must exist on the engine, and the plan says that it is not declared here.
public enum AppJobChecks {
    /// `(job, app)` for each Job with `app:` whose App is not among `desired`.
    static func undeclared(_ desired: [DesiredResource]) -> [(job: ResourceAddress, app: String)] {
        // By index: `for d in desired` copies each resource (a dozen references to retain and
        // release), which at 10,000 resources was a tenth of a one-App commit's time.
        var apps = Set<String>()
        for i in desired.indices where desired[i].address.kind == .App { apps.insert(desired[i].name) }
        var out: [(ResourceAddress, String)] = []
        for i in desired.indices where desired[i].address.kind == .Job {
            guard let field = desired[i].fields.first(where: { $0.apiPath == JobLowering.appNamePath }), case .value(let v) = field.value,
                  let app = v.stringValue else { continue }
            let bare = app.hasPrefix(":") ? String(app.dropFirst()) : app
            if !apps.contains(bare) { out.append((desired[i].address, bare)) }
        }
        return out
    }

    /// The plan's warnings: an App job's App is not declared here (it is taken as it is on the engine).
    public static func warnings(_ desired: [DesiredResource]) -> [String] {
        undeclared(desired).map { "\($0.job): spec.app: App \"\($0.app)\" is not declared in these manifests; the run uses the App as it is on the engine" }
    }

    /// Why the plan stops: said as the API's errors are (the commands release their lock on those).
    public static func missingApp(job: ResourceAddress, app: String) -> APIError {
        APIError(status: 404, code: "AppNotFound",
                          message: "\(job): spec.app: App \"\(app)\" is neither declared in these manifests nor on the engine: "
                              + "add an App manifest named \(app), or create the App first", requestId: "")
    }

    /// Throws `missingApp` for the first App job whose undeclared App the engine does not have.
    public static func checkExist(_ desired: [DesiredResource], client: BatchComputeClient) async throws {
        var seen = Set<String>()
        for (job, app) in undeclared(desired) where seen.insert(app).inserted {
            do { _ = try await client.app(app) } catch let e as APIError where e.status == 404 { throw missingApp(job: job, app: app) }
        }
    }
}
