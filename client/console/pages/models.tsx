import { useEffect, useState } from "preact/hooks";
import type { ComponentType } from "preact";
import type { User } from "../types.js";
import { errorText } from "../ui.js";

// The model pages (versions, runs, analytics) live in client/console/admin/, owned by the training loop.
// A template-literal import makes esbuild bundle whatever matches ./admin/*.tsx, so the console builds
// with or without that folder and shows a plain note when it is absent.
const entry = "index";

export function ModelsPage({ me }: { me: User }) {
  const [Page, setPage] = useState<ComponentType<{ me: User }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    import(`../admin/${entry}.tsx`).then(
      (mod: { AdminModelsPage?: ComponentType<{ me: User }> }) => {
        if (mod.AdminModelsPage) setPage(() => mod.AdminModelsPage!);
        else setError("The model pages are not part of this build.");
      },
      (err) => setError(`The model pages are not part of this build (${errorText(err)}).`),
    );
  }, []);
  return <div class="page">{Page ? <Page me={me} /> : <p class="muted">{error ?? "Loading…"}</p>}</div>;
}
