import Collector

/// Merges data locations into an event's `paths` attributes without duplicates, keeping at most
/// `maximum` and counting the rest in `paths_truncated` (never a silent cap). Locations a flow
/// variable overrides are listed again in `paths_overridden` as `value <- variable`.
enum KnimePaths {
    static func merge(_ locations: [KnimeDataLocation], into event: inout AuditEvent, maximum: Int) {
        var existing = event.attributes.values("paths")
        let previouslyTruncated = Int(event.attributes["paths_truncated"] ?? "") ?? 0
        var truncated = 0
        var overridden = event.attributes.values("paths_overridden")
        for location in locations {
            let text = location.display
            if let variable = location.overriddenBy {
                let note = "\(text) <- \(variable)"
                if !overridden.contains(note) { overridden.append(note) }
            }
            guard !existing.contains(text) else { continue }
            if existing.count >= maximum {
                truncated += 1
            } else {
                existing.append(text)
            }
        }
        event.attributes.removeAll(named: "paths")
        event.attributes.removeAll(named: "paths_overridden")
        for text in existing { event.attributes.append("paths", text) }
        for note in overridden.prefix(maximum) { event.attributes.append("paths_overridden", note) }
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
