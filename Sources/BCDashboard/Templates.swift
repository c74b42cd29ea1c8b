import BCAPI
import Mustache

/// The dashboard's Mustache templates (swift-mustache), parsed once into one `MustacheLibrary`.
///
/// Why Swift string constants and not `Templates/*.mustache` resources read through
/// `Bundle.module`: on Linux a resource bundle is a folder that must sit beside the executable
/// (`bcops_BCDashboard.resources`), so a `bcctl` copied or installed anywhere else would find no
/// templates and stop at its first page. Compiled-in text travels with the binary, is parsed
/// once at start (`library`), and a template that does not parse fails the first test that
/// renders a page, not a user's request.
///
/// Escaping: `{{value}}` escapes; `{{{value}}}` does not and is used only for markup the
/// dashboard built itself (a rendered partial, a constant), each with a `{{! … }}` comment
/// saying why it is safe. Every template starts with the `BCHTML` content type, whose escaper is
/// BCAPI's `MarkupEscaping` (by Unicode scalar). swift-mustache's own HTML escaper goes by
/// `Character`, so a quote followed by a combining mark (`"\u{301}`) is one Character that is
/// not `"` and would pass unescaped, closing an attribute; by scalar it cannot.
enum Templates {
    /// Name → template text. Each page's file adds its own (`LayoutTemplate.swift`, …).
    static let sources: [String: String] = [
        "layout": layout,
        "details": details,
        "logBlock": logBlock,
        "sentence": sentence,
        "jobBody": jobBody,
        "thumbnails": thumbnails,
        "nodeLoad": nodeLoad,
        "sparkline": sparkline,
        "finished": finished,
        "option": option,
        "nodeBody": nodeBody,
        "projects": projects,
        "rendering": rendering,
        "apps": apps,
        "clusters": clusters,
        "workflows": workflows,
        "workflowRun": workflowRun,
        "notARun": notARun,
        "sge": sge,
        "images": images,
        "login": login,
        "actionForms": actionForms,
        "refused": refused,
        "actionError": actionError,
        "sync": sync,
        "revision": revision,
        "reconcileForm": reconcileForm,
    ]

    /// Every template, parsed once (a parse error is a programming error: a test renders each).
    static let library: MustacheLibrary = {
        MustacheContentTypes.register(ScalarHTML(), named: "BCHTML")
        var library = MustacheLibrary()
        for (name, text) in sources {
            do { try library.register("{{% CONTENT_TYPE: BCHTML}}" + text, named: name) } catch {
                fatalError("dashboard template \(name) does not parse: \(error)")
            }
        }
        return library
    }()

    /// `view` rendered through the template `name`.
    static func render(_ name: String, _ view: Any) -> String {
        guard let out = library.render(view, withTemplate: name) else { fatalError("no dashboard template \(name)") }
        return out
    }

    /// HTML escaping by Unicode scalar (see above).
    struct ScalarHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { MarkupEscaping.escape(text) }
    }
}
