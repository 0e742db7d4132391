/** Reads back the coordinates the timeline emits, so tests judge the layout from the SVG itself. */

export interface Box {
    top: number;
    bottom: number;
    left: number;
    right: number;
}

export interface Badge extends Box {
    number: number;
    cx: number;
    cy: number;
    r: number;
}

export interface KeyText {
    text: string;
    x: number;
    y: number;
    anchor: "start" | "end" | "middle";
}

export interface KeyRow extends Box {
    texts: KeyText[];
    badge: Badge;
}

const num = (attrs: string, name: string): number => {
    const match = new RegExp(`\\s${name}="(-?[\\d.]+)"`).exec(attrs);
    if (!match) throw new Error(`no ${name} in ${attrs}`);
    return Number(match[1]);
};

function badgesIn(svg: string, className: string): Badge[] {
    const pattern = new RegExp(`<g class="${className}"><circle([^>]*)/><text[^>]*>(\\d+)</text>`, "g");
    return [...svg.matchAll(pattern)].map(([, attrs, number]) => {
        const [cx, cy, r] = [num(attrs, "cx"), num(attrs, "cy"), num(attrs, "r")];
        return { number: Number(number), cx, cy, r, top: cy - r, bottom: cy + r, left: cx - r, right: cx + r };
    });
}

/** The numbered badges above the plots. */
export function badges(svg: string): Badge[] {
    return badgesIn(svg, "fault-badge");
}

/** Each key row's box, its badge and its texts (the badge's number first, then left to right). */
export function keyRows(svg: string): KeyRow[] {
    return [...svg.matchAll(/<g class="fault-key-row">([\s\S]*?)\n<\/g>/g)].map(([, body]) => {
        const box = /<rect class="fault-key-row-box"([^>]*)>/.exec(body)![1];
        const [x, y, width, height] = ["x", "y", "width", "height"].map((name) => num(box, name));
        const [badge] = badgesIn(body, "fault-key-badge");
        const texts = [
            ...body.replace(/<g class="fault-key-badge">.*?<\/g>/, "").matchAll(/<text([^>]*)>([^<]*)<\/text>/g),
        ].map(([, attrs, text]) => ({
            text,
            x: num(attrs, "x"),
            y: num(attrs, "y"),
            anchor: (/text-anchor="(\w+)"/.exec(attrs)?.[1] ?? "start") as KeyText["anchor"],
        }));
        return {
            top: y,
            bottom: y + height,
            left: x,
            right: x + width,
            badge,
            texts: [{ text: String(badge.number), x: badge.cx, y: badge.cy, anchor: "middle" as const }, ...texts],
        };
    });
}

/** Lowest y reached by any text or shape inside the first `<g class="name">` group. */
export function groupBottom(svg: string, name: string): number {
    const group = new RegExp(`<g class="${name}">([\\s\\S]*?)</g>`).exec(svg)![1];
    const ys = [...group.matchAll(/\s(?:y|y1|y2)="(-?[\d.]+)"/g)].map((m) => Number(m[1]));
    const rects = [...group.matchAll(/<rect[^>]*\sy="([\d.]+)"[^>]*\sheight="([\d.]+)"/g)].map(
        (m) => Number(m[1]) + Number(m[2]),
    );
    return Math.max(...ys, ...rects);
}

export function svgSize(svg: string): { width: number; height: number } {
    const open = /^<svg([^>]*)>/.exec(svg)![1];
    return { width: num(open, "width"), height: num(open, "height") };
}

export function overlaps(a: Box, b: Box): boolean {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}
