// A request's thread as either side reads it: who wrote each message (the finance team, or the customer
// named as the reader sees them) and when.
import type { Schemas } from "../api/client";
import { dateAndTime } from "../format";
import { LoadError, Loading } from "./ui";

type Message = Schemas["MessageOut"];

export function Messages({ messages, customer }: {
  messages: { data?: { items: Message[] }; error: unknown };
  customer: string; // "Você" in the portal, "Cliente" in the console
}) {
  if (messages.error) return <LoadError error={messages.error} />;
  if (!messages.data) return <Loading />;
  return (
    <ol className="plain messages">
      {messages.data.items.map((message) => (
        <li key={message.id} className={message.author === "finance" ? "from-finance" : "from-customer"}>
          <p className="hint">
            {message.author === "finance" ? "Time financeiro" : customer} · {dateAndTime(message.created_at)}
          </p>
          <p className="message-text">{message.text}</p>
        </li>
      ))}
    </ol>
  );
}
