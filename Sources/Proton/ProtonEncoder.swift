import CProton
#if canImport(Glibc)
import Glibc
#endif

/// Encodes `ProtonMessage`s onto a sending link, reusing one `pn_message_t` and one buffer.
/// Proton thread only.
final class ProtonEncoder {
    private let message: OpaquePointer
    private var buffer = pn_rwbytes_t(size: 0, start: nil)

    init() {
        message = pn_message()
    }

    deinit {
        pn_message_free(message)
        free(buffer.start)
    }

    /// Writes the message (durable, string message-id, content type, one data section) to the
    /// link's current delivery and advances it. Returns a description of the failure, or nil.
    func send(_ outgoing: ProtonMessage, on link: OpaquePointer) -> String? {
        pn_message_clear(message)
        let idResult = outgoing.id.withCString { cproton_message_set_string_id(message, $0, strlen($0)) }
        if idResult != 0 { return "cannot set the message-id (error \(idResult))" }
        pn_message_set_durable(message, true)
        pn_message_set_content_type(message, outgoing.contentType)
        let bodyResult = outgoing.body.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cproton_message_set_binary_body(message, chars.baseAddress, chars.count)
            }
        }
        if bodyResult != 0 { return "cannot set the body (error \(bodyResult))" }
        let written = pn_message_send(message, link, &buffer)
        if written < 0 { return String(cString: pn_error_text(pn_message_error(message))) }
        return nil
    }
}

/// Text of proton error conditions.
enum ProtonCondition {
    /// `name: description` of a condition that is set, or nil.
    static func describe(_ condition: OpaquePointer?) -> String? {
        guard let condition, pn_condition_is_set(condition) else { return nil }
        let name = pn_condition_get_name(condition).map { String(cString: $0) } ?? ""
        let text = pn_condition_get_description(condition).map { String(cString: $0) } ?? ""
        if name.isEmpty { return text }
        if text.isEmpty { return name }
        return "\(name): \(text)"
    }
}
