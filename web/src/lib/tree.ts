export interface TreeFile {
  kind: "file";
  name: string;
  path: string;
  bytes: number;
}
export interface TreeDir {
  kind: "dir";
  name: string;
  path: string;
  children: TreeNode[];
}
export type TreeNode = TreeFile | TreeDir;

/** Builds a folder tree from flat artifact paths: folders first, then files, each alphabetical. */
export function buildTree(files: readonly { path: string; bytes: number }[]): TreeDir {
  const root: TreeDir = { kind: "dir", name: "", path: "", children: [] };
  for (const f of files) {
    const parts = f.path.split("/").filter((p) => p !== "" && p !== ".");
    let dir = root;
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join("/");
      if (i === parts.length - 1) {
        if (!dir.children.some((c) => c.kind === "file" && c.path === path))
          dir.children.push({ kind: "file", name, path: f.path, bytes: f.bytes });
        return;
      }
      let next = dir.children.find((c): c is TreeDir => c.kind === "dir" && c.name === name);
      if (!next) {
        next = { kind: "dir", name, path, children: [] };
        dir.children.push(next);
      }
      dir = next;
    });
  }
  sortTree(root);
  return root;
}

function sortTree(dir: TreeDir): void {
  dir.children.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "dir" ? -1 : 1));
  for (const c of dir.children) if (c.kind === "dir") sortTree(c);
}
