import Collector

/// Merges data locations into an event's `paths` attributes without duplicates, keeping at most
/// `maximum` and counting the rest in `paths_truncated` (never a silent cap). Locations a flow
/// variable overrides are listed again in `paths_overridden` as `value <- variable`; those of reader
/// and writer nodes (from the node's factory) again in `paths_read` and `paths_written`.
enum KnimePaths {
    static func merge(_ locations: [KnimeDataLocation], into event: inout AuditEvent, maximum: Int) {
        var existing = event.attributes.values("paths")
        let previouslyTruncated = Int(event.attributes["paths_truncated"] ?? "") ?? 0
        var truncated = 0
        var overridden = event.attributes.values("paths_overridden")
        var read = event.attributes.values("paths_read")
        var written = event.attributes.values("paths_written")
        for location in locations {
            let text = location.display
            if !existing.contains(text) {
                if existing.count >= maximum {
                    truncated += 1
                    continue
                }
                existing.append(text)
            }
            if let variable = location.overriddenBy {
                let note = "\(text) <- \(variable)"
                if !overridden.contains(note) { overridden.append(note) }
            }
            if location.role == .reader, !read.contains(text) { read.append(text) }
            if location.role == .writer, !written.contains(text) { written.append(text) }
        }
        for name in ["paths", "paths_read", "paths_written", "paths_overridden"] { event.attributes.removeAll(named: name) }
        for text in existing { event.attributes.append("paths", text) }
        for text in read { event.attributes.append("paths_read", text) }
        for text in written { event.attributes.append("paths_written", text) }
        for note in overridden { event.attributes.append("paths_overridden", note) }
        if previouslyTruncated + truncated > 0 {
            event.attributes["paths_truncated"] = String(previouslyTruncated + truncated)
        }
    }

    /// Adds `message` to the event's `enrichment_error` (several failures are joined with "; ").
    static func addError(_ message: String, to event: inout AuditEvent) {
        if let previous = event.attributes["enrichment_error"] {
            event.attributes["enrichment_error"] = previous + "; " + message
        } else {
            event.attributes["enrichment_error"] = message
        }
    }
}
