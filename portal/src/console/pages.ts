// A list route read page by page: the first page on every dependency change, then "Carregar mais"
// follows the API's next_cursor.
import { useCallback, useEffect, useRef, useState } from "react";

interface PageOf<T> {
  items: T[];
  next_cursor?: string | null;
}

export function usePages<T>(load: (cursor: string | undefined) => Promise<PageOf<T>>, deps: unknown[]) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const fetchPage = useCallback(load, deps);

  const read = useCallback(
    async (after: string | undefined) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await fetchPage(after);
        if (mine !== generation.current) return;
        setItems((kept) => (after ? [...kept, ...page.items] : page.items));
        setCursor(page.next_cursor ?? null);
        setError(null);
      } catch (caught) {
        if (mine === generation.current) setError(caught);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [fetchPage],
  );
  const reload = useCallback(() => read(undefined), [read]);
  useEffect(() => {
    setItems([]);
    void reload();
  }, [reload]);
  return { items, error, loading, reload, more: cursor !== null, loadMore: () => read(cursor ?? undefined) };
}
