import { useEffect, useState } from "react";
import { api, type Me } from "./api/endpoints";
import { setApiTransport } from "./api/http";
import { authorizedTransport, onSignedOut, setSaas, tokens } from "./auth/session";
import { startSession } from "./auth/startup";
import { ProjectPage } from "./pages/ProjectPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { SettingsPage } from "./pages/SettingsPage";
import { Link, matchRoute, usePath } from "./router";

type Auth = { kind: "loading" } | { kind: "ok"; me: Me } | { kind: "login" } | { kind: "error"; message: string };

function LoginScreen() {
  const next = encodeURIComponent(window.location.pathname + window.location.search);
  return (
    <main id="main" className="page login">
      <section className="panel center">
        <h1>Proximus</h1>
        <p>A team of AI agents that turns a business idea into a tested, deployable project.</p>
        <a className="button" href={`/auth/login?redirect=${next}`}>
          Sign in
        </a>
      </section>
    </main>
  );
}

export function App() {
  const path = usePath();
  const route = matchRoute(path);
  const [auth, setAuth] = useState<Auth>({ kind: "loading" });

  useEffect(() => {
    let live = true;
    void startSession({
      me: api.me,
      refresh: () => tokens.refresh(),
      enableSaas: () => {
        setSaas(true);
        setApiTransport(authorizedTransport);
      },
    }).then((s) => live && setAuth(s));
    // A session that ends later (refresh refused, revoked family) sends the user to sign in again.
    const off = onSignedOut(() => setAuth({ kind: "login" }));
    return () => {
      live = false;
      off();
    };
  }, []);

  useEffect(() => {
    document.title = route.name === "settings" ? "Settings · Proximus" : route.name === "project" ? "Project · Proximus" : "Proximus";
  }, [route.name]);

  if (auth.kind === "login") return <LoginScreen />;

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      // Signed out or not, the login screen is where the user goes next.
    }
    tokens.clear();
    setAuth({ kind: "login" });
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Proximus
        </Link>
        <nav aria-label="Main">
          <Link to="/" aria-current={route.name === "projects" ? "page" : undefined}>
            Projects
          </Link>
          <Link to="/settings" aria-current={route.name === "settings" ? "page" : undefined}>
            Settings
          </Link>
        </nav>
        <div className="who">
          {auth.kind === "ok" && auth.me.mode === "saas" && auth.me.user ? (
            <>
              <span>{auth.me.user.name ?? auth.me.user.email}</span>
              <button type="button" className="ghost" onClick={() => void logout()}>
                Sign out
              </button>
            </>
          ) : auth.kind === "ok" ? (
            <span className="badge">local mode</span>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {auth.kind === "error" && (
          <p className="banner banner-error" role="alert">
            {auth.message}
          </p>
        )}
        {auth.kind === "loading" ? (
          <p className="page muted">Loading…</p>
        ) : route.name === "projects" ? (
          <ProjectsPage />
        ) : route.name === "project" ? (
          <ProjectPage key={route.id} projectId={route.id} />
        ) : route.name === "settings" ? (
          <SettingsPage />
        ) : (
          <div className="page">
            <h1>Not found</h1>
            <p>
              <Link to="/">Back to projects</Link>
            </p>
          </div>
        )}
      </main>
    </>
  );
}
