/** Small helpers shared by the timeline's drawing files. */

/** Text safe inside an SVG element or a double-quoted attribute. */
export function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A coordinate rounded to a tenth of a pixel: finer is invisible and only bloats the file. */
export function f(value: number): string {
    return (Math.round(value * 10) / 10).toString();
}

/**
 * A generous width estimate for Helvetica/Arial text: 0.6 em a character, where ordinary words (lower case,
 * spaces, digits at 0.56 em) average nearer 0.5 em even in bold. Without a renderer there are no font
 * metrics, so layouts that must not collide size their columns with this.
 */
export function textWidth(text: string, fontSize = 12): number {
    return text.length * fontSize * 0.6;
}
