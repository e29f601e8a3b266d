import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

/** A tiny history router: three routes do not justify a routing library. The gateway serves index.html for every path. */

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  return () => window.removeEventListener("popstate", onChange);
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, "", to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export type Route = { name: "projects" } | { name: "project"; id: string } | { name: "settings" } | { name: "not-found" };

export function matchRoute(path: string): Route {
  if (path === "/" || path === "/projects" || path === "/projects/") return { name: "projects" };
  if (path === "/settings") return { name: "settings" };
  const m = /^\/projects\/([^/]+)\/?$/.exec(path);
  if (m?.[1]) return { name: "project", id: decodeURIComponent(m[1]) };
  return { name: "not-found" };
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    // Let the browser handle new-tab and download gestures.
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
