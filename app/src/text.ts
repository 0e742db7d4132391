import { HttpError } from "./errors";

/**
 * Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069). In a name
 * they reorder what follows on every screen, ticket and report that shows it ("Trojan Source",
 * CVE-2021-42574), so a name that carries one is refused rather than cleaned: the sender meant
 * something by it. The plain marks U+200E/U+200F stay allowed; right-to-left names need them.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

/**
 * What renders as nothing: controls, format characters (zero-width space, joiners, soft hyphen,
 * tag characters), every kind of space, the other default-ignorable code points (Hangul fillers,
 * variation selectors) and the blank Braille pattern, a common "empty name" trick.
 */
/** In a `u` regular expression a lone surrogate is the code point itself, category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

const INVISIBLE = /[\p{Cc}\p{Cf}\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;

function invalid(field: string, message: string): HttpError {
    return new HttpError(400, "invalid_request", `${field} ${message}`, { field });
}

/**
 * A name people will read (event, ticket type): well-formed Unicode, no bidirectional controls and
 * at least one visible character. Returns it trimmed and in NFC, the form we store and compare.
 */
export function visibleName(value: string, field: string): string {
    if (LONE_SURROGATE.test(value)) throw invalid(field, "must be well-formed Unicode (it contains a lone surrogate)");
    if (BIDI_CONTROL.test(value)) {
        throw invalid(
            field,
            "must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)",
        );
    }
    if (value.replace(INVISIBLE, "") === "") throw invalid(field, "must contain at least one visible character");
    return value.normalize("NFC").trim();
}
