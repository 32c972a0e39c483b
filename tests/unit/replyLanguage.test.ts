import { test } from "node:test";
import assert from "node:assert/strict";
import { answerTextFor, messageLanguage } from "../../server/bot/replyLanguage.js";
import { scriptOf } from "../../server/nightly/baseModelSuggestion.js";

test("the language of a message comes from its script, the widget's language breaking ties", () => {
  assert.equal(messageLanguage("我的订单什么时候到？", "en"), "zh-CN");
  assert.equal(messageLanguage("我的订单什么时候到？", "zh-CN"), "zh-CN");
  assert.equal(messageLanguage("請問運費多少錢？", null), "zh-TW");
  assert.equal(messageLanguage("カードがまだ届きません", "en"), "ja");
  assert.equal(messageLanguage("배송은 얼마나 걸리나요?", "en"), "ko");
  assert.equal(messageLanguage("When will my order arrive?", "zh-CN"), "en", "Latin letters on a Chinese page: English");
  assert.equal(messageLanguage("When will my order arrive?", "en"), "en");
  assert.equal(messageLanguage("my 订单 has not arrived", "en"), "en", "an English sentence with one Chinese word");
  assert.equal(messageLanguage("我的 order 还没到", "en"), "zh-CN", "a Chinese sentence with one English word");
  assert.equal(messageLanguage("12345 👍", "zh-CN"), "zh-CN", "no script: the widget's language");
  assert.equal(messageLanguage("👍", undefined), null);
});

test("an answer is sent in the customer's language when it has that translation, else its main text", () => {
  const answer = { text: "Orders ship within 24 hours.", translations: [{ language: "zh-CN", text: "订单会在 24 小时内发货。" }] };
  assert.deepEqual(answerTextFor(answer, "zh-CN"), { text: "订单会在 24 小时内发货。", language: "zh-CN" });
  assert.deepEqual(answerTextFor(answer, "zh-TW"), { text: "订单会在 24 小时内发货。", language: "zh-CN" }, "same primary language");
  assert.deepEqual(answerTextFor(answer, "en"), { text: "Orders ship within 24 hours.", language: null });
  assert.deepEqual(answerTextFor(answer, null), { text: "Orders ship within 24 hours.", language: null });
  assert.deepEqual(answerTextFor({ text: "Only English" }, "zh-CN"), { text: "Only English", language: null });
});

test("script detection for the base model suggestion", () => {
  assert.equal(scriptOf("快递几天能到？"), "other");
  assert.equal(scriptOf("Где мой заказ?"), "other");
  assert.equal(scriptOf("Where is my order?"), "latin");
  assert.equal(scriptOf("Wo ist meine Bestellung?"), "latin");
  assert.equal(scriptOf("我的 order"), "other");
  assert.equal(scriptOf("12345"), null);
});
