/// Every page's frame: head, header with navigation and the three counters, then the page's body.
extension Templates {
    /// The view `layout` renders.
    struct Layout {
        var title: String
        var runningJobs: Int
        var runningNodes: Int
        var waitingNodes: Int
        var hasPoll: Bool
        var poll: Int
        /// Whether the header links to Sync (a controller's dashboard).
        var sync: Bool
        /// The page's body: HTML a page's own template rendered (its values escaped there).
        var body: String
        /// The dashboard's own CSS constants.
        var style: String
    }

    static let layout = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{title}} · bcops</title>
        <style>{{{style}}}{{! safe: HTML.style and LiveUpdates.style, constants }}</style><script src="/ui/static/live.js" defer></script></head>
        <body{{#hasPoll}} data-poll="{{poll}}"{{/hasPoll}}><header><nav><a href="/ui/projects">Projects 项目管理</a><a href="/ui/rendering">Rendering 渲染中的任务</a><a href="/ui/finished">Finished 已结束的任务</a>\
        <a href="/ui/images">Images 镜像管理</a><a href="/ui/clusters">Clusters</a><a href="/ui/apps">Apps</a><a href="/ui/sge">SGE</a><a href="/ui/workflows">Workflows</a>\
        {{#sync}}<a id="nav-sync" href="/ui/sync">Sync</a>{{/sync}}</nav>
        <div class="counters" id="counters" data-live>
        <span class="counter">Running jobs 运行中的任务数<b id="counter-running-jobs">{{runningJobs}}</b></span>
        <span class="counter">Running nodes 运行中的节点数<b id="counter-running-nodes">{{runningNodes}}</b></span>
        <span class="counter">Waiting nodes 等待中的节点数<b id="counter-waiting-nodes">{{waitingNodes}}</b></span>
        </div></header>
        <main><h1>{{title}}</h1>
        {{{body}}}{{! safe: the page's own template output, or markup a page built with its values escaped }}
        </main></body></html>
        """
}
