-- Chats that asked for the daily /backprop digest, and at which UTC hour. Which days were
-- delivered is kept in bot_deliveries (rule_id 0, key 'digest:<chat>:<day>') with the alerts'.
CREATE TABLE bot_digests (chat_id BIGINT PRIMARY KEY, hour BIGINT NOT NULL);
