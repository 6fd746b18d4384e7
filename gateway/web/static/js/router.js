// A tiny client-side router on the History API.
//
// Routes are "/clients/:id" patterns below a base ("/staff", "/p/abc"). A view is an
// (async) function that returns a Node; the router swaps it into the page, sets the
// document title, moves focus to the new page's <h1> and announces it, so a screen
// reader or keyboard user knows the page changed. `guard(path)` may return another path
// to go to instead (signed out → sign in; must change password → that page).

import { announce } from "./ui/notice.js";

function compile(pattern) {
  const names = [];
  const source = pattern
    .replace(/\/$/, "")
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/:(\w+)/g, (_, name) => { names.push(name); return "([^/]+)"; });
  return { regex: new RegExp(`^${source}/?$`), names };
}

export function createRouter({ base, outlet, routes, notFound, guard, siteName, onRender }) {
  const table = routes.map((route) => ({ ...route, ...compile(route.path) }));
  let seq = 0;
  let first = true;

  function localPath(pathname) {
    if (pathname === base) return "/";
    return pathname.startsWith(base + "/") ? pathname.slice(base.length) : null;
  }

  function match(path) {
    for (const route of table) {
      const found = route.regex.exec(path);
      if (found) {
        const params = {};
        route.names.forEach((name, i) => { params[name] = decodeURIComponent(found[i + 1]); });
        return { route, params };
      }
    }
    return null;
  }

  const router = {
    base,
    // base "" (a practice's own address): the portal's home is "/"
    href: (path = "/") => (path === "/" ? base || "/" : base + path),
    current: () => localPath(location.pathname) ?? "/",
    query: () => new URLSearchParams(location.search),

    async navigate(path, { replace = false } = {}) {
      const url = router.href(path.split("?")[0]) + (path.includes("?") ? "?" + path.split("?")[1] : "");
      if (replace) history.replaceState({}, "", url);
      else history.pushState({}, "", url);
      await render();
    },

    reload: () => render(),
  };

  async function render() {
    const mine = ++seq;
    const path = localPath(location.pathname) ?? "/";
    const redirect = guard ? await guard(path) : null;
    if (mine !== seq) return;
    if (redirect && redirect !== path) {
      history.replaceState({}, "", router.href(redirect));
      return render();
    }
    const found = match(path);
    const view = found ? found.route.view : notFound;
    const title = found ? found.route.title : "Page not found";
    outlet.setAttribute("aria-busy", "true");
    let node;
    try {
      node = await view({ params: found ? found.params : {}, query: router.query(), router });
    } catch (error) {
      if (error && error.name === "AbortError") return;
      if (mine !== seq) return;
      node = errorView(error);
    }
    if (mine !== seq) return;
    outlet.replaceChildren(node);
    outlet.removeAttribute("aria-busy");
    const heading = outlet.querySelector("h1");
    const pageTitle = (typeof title === "function" ? title(heading) : title) || (heading && heading.textContent);
    document.title = pageTitle ? `${pageTitle} – ${siteName()}` : siteName();
    if (onRender) onRender(path);
    if (!first && heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
      window.scrollTo(0, 0);
      announce(pageTitle || "");
    }
    first = false;
  }

  function errorView(error) {
    const box = document.createElement("section");
    box.className = "page";
    const h1 = document.createElement("h1");
    h1.textContent = "Something went wrong";
    const p = document.createElement("p");
    p.className = "callout callout--error";
    p.textContent = (error && error.message) || "Please reload the page and try again.";
    box.append(h1, p);
    return box;
  }

  // Follow same-site links below the base without a page load. Ctrl/Cmd/Shift-click,
  // target=_blank, downloads and #fragment links (the skip link) behave as usual.
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || link.dataset.reload !== undefined) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
    const path = localPath(url.pathname);
    if (path === null) return;
    event.preventDefault();
    router.navigate(path + url.search);
  });
  window.addEventListener("popstate", () => render());

  router.start = () => render();
  return router;
}
