/// 镜像管理's body: the images with their users, then each RenderProject's software template.
extension Templates {
    struct Images {
        var images: [ImageRow]
        var hasProjects: Bool
        var projects: [Software]
    }

    struct ImageRow {
        var id: String
        var name: String
        var type: String
        var platform: String
        var ecsImage: String
        var description: String
        /// "App NAME" / "Cluster NAME", one per line.
        var users: [ImageUser]
    }

    struct ImageUser {
        /// Whether a `<br>` comes before it (all but the first).
        var br: Bool
        var name: String
    }

    struct Software {
        var project: String
        var software: String
        var image: String
        var app: String
        var revision: String
        var builtIn: Bool
        var commandLine: String
        var variables: [SoftwareVariable]
        var hasParameters: Bool
        var parameters: [SoftwareParameter]
    }

    struct SoftwareVariable {
        var name: String
        var meaning: String
    }

    struct SoftwareParameter {
        var name: String
        var defaultValue: String
        var description: String
    }

    static let images = """
        <h2>Images</h2>
        <table id="images"><tr><th>Id</th><th>Name</th><th>Type</th><th>Platform</th><th>ECS image</th><th>Description</th><th>Used by</th></tr>
        {{#images}}<tr class="image-row" data-id="{{id}}"><td>{{id}}</td><td>{{name}}</td><td>{{type}}</td><td>{{platform}}</td><td>{{ecsImage}}</td><td>{{description}}</td><td>{{#users}}{{#br}}<br>{{/br}}{{name}}{{/users}}</td></tr>
        {{/images}}</table>
        <h2>Software templates 软件配置</h2>
        {{^hasProjects}}<p>No RenderProjects yet.</p>
        {{/hasProjects}}{{#projects}}<section class="software" data-project="{{project}}"><h3>{{project}} · {{software}}</h3>
        <p>Image <code>{{image}}</code>; App <code>{{app}}</code>, revision {{revision}}.{{#builtIn}} Blender's built-in template:{{/builtIn}}{{^builtIn}} Command template:{{/builtIn}}</p>
        <pre class="command-template">{{commandLine}}</pre>
        <h4>Variables</h4>
        <table class="template-variables"><tr><th>Variable</th><th>Meaning</th></tr>
        {{#variables}}<tr class="variable-row"><td><code>${{name}}</code></td><td>{{meaning}}</td></tr>
        {{/variables}}</table>
        {{^hasParameters}}<p>No declared parameters.</p>
        {{/hasParameters}}{{#hasParameters}}<h4>Parameters (a job may set them)</h4>
        <table class="template-parameters"><tr><th>Parameter</th><th>Default</th><th>Description</th></tr>
        {{#parameters}}<tr class="parameter-row"><td>{{name}}</td><td>{{defaultValue}}</td><td>{{description}}</td></tr>
        {{/parameters}}</table>
        {{/hasParameters}}</section>
        {{/projects}}
        """
}
