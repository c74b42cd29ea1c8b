import BCAPI
import Foundation
import Hummingbird

/// `/apps`: App descriptions with revisions. Every modification is a new revision.
struct AppsAPI {
    let engine: Engine
    var store: EngineStore { engine.store }

    /// The fields an app's body may have, from the contract (`InvalidHttpBody` for any other).
    static let fields = AppDescription.fields

    func register(on router: Router<BasicRequestContext>) {
        router.on(Routes.createApp) { request, _ in
            let body = try await APIServer.body(request)
            let name = try validate(body.object)
            try store.createApp(name: name, description: String(decoding: JSONBody.serialize(body.object), as: UTF8.self))
            engine.wakeup.raise()  // an App job whose App had been deleted can be planned again
            return Answer(CreatedApp(name: name), status: .created)
        }
        router.on(Routes.listApps) { request, _ in
            let q = APIServer.query(request)
            if q[QueryName.scope] == "Public" {
                return Answer(Page(items: try PublicApps.all.keys.sorted().compactMap(PublicApps.row).map(AppStatus.init)))
            }
            let (marker, limit) = try APIServer.page(q)
            let (rows, next) = try store.apps(after: marker, limit: limit, labels: try APIServer.labels(q))
            return Answer(Page(items: try rows.map(AppStatus.init), nextMarker: next))
        }
        router.on(Routes.getApp) { request, context in
            let name = try context.parameters.require("name")
            let q = APIServer.query(request)
            if q[QueryName.scope] == "Public" {
                guard let row = PublicApps.row(name) else { throw APIError.notFound("public app \(name)") }
                if q[QueryName.revisions] != nil {
                    return try Answer(Page(items: [AppRevision(revision: row.revision, updateTime: WireTime.format(row.creationTime))])).response()
                }
                return try Answer(try AppStatus(row)).response()
            }
            if q[QueryName.revisions] != nil {
                let rows = try store.appRevisions(name)
                guard !rows.isEmpty else { throw StoreError.notFound(.app(name)) }
                let revisions = rows.map { AppRevision(revision: $0.revision, updateTime: WireTime.format($0.creationTime)) }
                return try Answer(Page(items: revisions)).response()
            }
            let revision = q[QueryName.qualifier].flatMap { Int($0) }
            guard let row = try store.app(name, revision: revision) else { throw StoreError.notFound(.app(name)) }
            return try Answer(try AppStatus(row)).response()
        }
        router.on(Routes.modifyApp) { request, context in
            let name = try context.parameters.require("name")
            let body = try await APIServer.body(request)
            var object = body.object
            object[AppKey.name] = object[AppKey.name] ?? name
            guard try validate(object) == name else { throw APIError.invalid(AppKey.name.rawValue, "an app cannot be renamed") }
            try store.modifyApp(name: name, description: String(decoding: JSONBody.serialize(object), as: UTF8.self))
            return Answer(Empty())
        }
        router.on(Routes.deleteApp) { request, context in
            try store.deleteApp(try context.parameters.require("name"), revision: APIServer.query(request)[QueryName.qualifier].flatMap { Int($0) })
            return Answer(Empty())
        }
    }

    /// Checks an AppDescription; returns its name.
    func validate(_ o: [String: Any]) throws -> String {
        try JSONBody.checkKnown(o, AppsAPI.fields, where: "")
        try JSONBody.checkLabels(o)
        let name = try JSONBody.string(o, "Name", required: true)!
        guard name.range(of: #"^[A-Za-z_-][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil else {
            throw APIError.invalid("Name", "letters, digits, _ and -, not starting with a digit")
        }
        _ = try JSONBody.string(o, "CommandLine", required: true)
        let docker = try JSONBody.dict(o, "Docker"), vm = try JSONBody.dict(o, "VM")
        if docker != nil && vm != nil { throw APIError.invalid("Docker", "set Docker or VM, not both") }
        if let docker { _ = try JSONBody.string(docker, "Image", required: true) }
        for key in ["InputParameters", "OutputParameters"] {
            for (p, value) in try JSONBody.dict(o, key) ?? [:] {
                guard let param = value as? [String: Any] else { throw APIError.invalid(key, "parameter \(p) must be an object") }
                if let t = try JSONBody.string(param, "Type"), !["String", "Number"].contains(t) {
                    throw APIError.invalid("Type", "parameter \(p): Type must be String or Number")
                }
            }
        }
        return name
    }
}
