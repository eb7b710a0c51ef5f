/**
 * Preloaded into our own server, which runs as the real CLI
 * (`chat-server serve --only rest|grpc`): it only answers the bench's memory
 * and stop requests. The orchestrator reads the port from the CLI's output.
 */
import { answerBenchRequests } from "./harness.js";

answerBenchRequests();
