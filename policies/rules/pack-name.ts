/** The pack's name, as `pulumi preview` prints it next to each violation (a module of its own, so tools can
 * name the pack without loading every rule). */
export const PACK_NAME = "boxoffice";
