// Subnet page chart: candles and volume from /api/v1/subnets/{netuid}/candles, drawn with
// TradingView lightweight-charts (embedded in the binary), refreshed on every live block.
(function () {
  'use strict';
  const el = document.getElementById('chart');
  if (!el || !window.LightweightCharts) return;
  const LC = window.LightweightCharts;
  const netuid = el.dataset.netuid;
  let interval = el.dataset.interval || '1h';
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const options = () => ({
    autoSize: true,
    layout: { background: { type: 'solid', color: css('--card') }, textColor: css('--muted'), fontSize: 12, attributionLogo: false },
    grid: { vertLines: { color: css('--line2') }, horzLines: { color: css('--line2') } },
    rightPriceScale: { borderColor: css('--line') },
    timeScale: { borderColor: css('--line'), timeVisible: true, secondsVisible: false },
    crosshair: { mode: 1 },
  });
  const chart = LC.createChart(el, options());
  const up = '#16c784', down = '#ea3943';
  const candles = chart.addSeries(LC.CandlestickSeries, {
    upColor: up, downColor: down, borderUpColor: up, borderDownColor: down, wickUpColor: up, wickDownColor: down,
    priceFormat: { type: 'price', precision: 6, minMove: 0.000001 },
  });
  const volume = chart.addSeries(LC.HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
  chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
  const rao = (s) => Number(s) / 1e9;
  function toBars(r) {
    const endSec = r.as_of_timestamp_ms / 1000;
    const bt = r.block_time_ms / 1000;
    const bars = [], vols = [];
    for (const c of r.candles) {
      const time = Math.floor(endSec - (r.as_of_block - c.start_block) * bt);
      bars.push({ time, open: rao(c.open), high: rao(c.high), low: rao(c.low), close: rao(c.close) });
      const v = rao(c.buy_volume) + rao(c.sell_volume);
      vols.push({ time, value: v, color: c.close >= c.open ? 'rgba(22,199,132,.45)' : 'rgba(234,57,67,.45)' });
    }
    return { bars, vols };
  }
  let loading = 0;
  async function load(fit) {
    const my = ++loading;
    const res = await fetch(`/api/v1/subnets/${netuid}/candles?interval=${interval}&limit=300`);
    if (!res.ok || my !== loading) return;
    const { bars, vols } = toBars(await res.json());
    candles.setData(bars);
    volume.setData(vols);
    if (fit) chart.timeScale().fitContent();
    el.dataset.loaded = String(bars.length);
  }
  document.querySelectorAll('#tf button').forEach((b) => b.addEventListener('click', () => {
    interval = b.dataset.interval;
    el.dataset.interval = interval;
    document.querySelectorAll('#tf button').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
    load(true);
  }));
  document.addEventListener('taoplex:block', () => load(false));
  document.addEventListener('taoplex:theme', () => requestAnimationFrame(() => chart.applyOptions(options())));
  load(true);
})();
