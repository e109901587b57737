// The models bound to the test file's connection (the default mongoose connection that
// useTestDatabase opens), for arranging and inspecting data directly.
import mongoose from 'mongoose';
import { bindModels } from '../../src/loaders/repositories';

export const { Product, Category, Order, IdempotencyKey, OutboxEvent, EmailDelivery, Review, ReviewVote, Wishlist, WebhookEvent, SimulatedPaymentIntent, Cart, SalesRollup, SalesSpanRollup, Report } = bindModels(mongoose.connection);
